// The API and the jobs (azd service "api"): Flex Consumption, Python 3.11, running as the
// user-assigned identity; the deployment package is read from blob storage with that identity.
param planName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param storageBlobEndpoint string
param deploymentContainerName string
@description('App settings; names are DESIGN section 9\'s plus the Functions platform\'s own.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225:Flex Consumption (FC1) plans have no zone-redundancy setting here
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_222:the linked Static Web App reaches the app over its public endpoint; linking restricts callers to SWA
  //checkov:skip=CKV_AZURE_212:Flex Consumption scales to zero by design (timers and the job queue wake it); no always-ready instances
  //checkov:skip=CKV_AZURE_213:the platform health check replaces instances that fail it, but /api/health fails for database states (unreachable, schema-outdated) that a new instance cannot fix
  //checkov:skip=CKV_AZURE_17:client certificates do not apply: callers are SWA and the platform
  //checkov:skip=CKV_AZURE_16:the app has a managed identity (user-assigned), which this check does not see through a parameter
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
      }
      runtime: { name: 'python', version: '3.11' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
  }
}

output id string = app.id
output name string = app.name
output clientId string = identityClientId
