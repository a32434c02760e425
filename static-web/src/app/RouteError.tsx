import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Shown if rendering a page throws: says what happened instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const text = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main className="app" id="main">
      <h1>Something went wrong</h1>
      <div role="alert" className="alert alert-error">
        <p>The page failed to render: {text}</p>
      </div>
      <p>
        <Link to="/databricks/requests">Back to the requests</Link>
      </p>
    </main>
  );
}
