import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { routes } from '../app/routes';

/** Renders the whole app (layout, health, routes) at a path, as the browser would. */
export function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const utils = render(<RouterProvider router={router} />);
  return { router, ...utils };
}

/** With fake timers: let pending promises settle and advance the clock by `ms`. */
export async function advance(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

/** Says yes to the question a mass action asks first, e.g. "Revoke 2 expired requests?". */
export function confirmAction(question: string) {
  const dialog = screen.getByRole('dialog', { name: question });
  fireEvent.click(within(dialog).getByRole('button', { name: /^(Revoke|Send)$/ }));
}
