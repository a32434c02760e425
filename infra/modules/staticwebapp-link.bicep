// Links the Function App as the Static Web App's /api backend. Linking gives SWA exclusive access to
// the app, which is what makes x-ms-client-principal trustworthy (AUTH_MODE=swa).
param staticWebAppName string
param functionAppId string
param functionAppLocation string

resource site 'Microsoft.Web/staticSites@2023-12-01' existing = {
  name: staticWebAppName
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2023-12-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}
