// Everything `azd up` provisions for the Access Request Expiry Service (DESIGN section 8, R2).
// Plain resources rather than Azure Verified Modules: this repository is checked offline (pycep,
// checkov), and neither can read a registry module that cannot be downloaded; every resource here is
// therefore visible to the scan.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource except the Static Web App and the email data location.')
param location string

@description('Static Web Apps run in a few regions only.')
@allowed(['westus2', 'centralus', 'eastus2', 'westeurope', 'eastasia'])
param staticWebAppLocation string = 'westeurope'

@description('Object id of the deploying user (azd: AZURE_PRINCIPAL_ID): Entra admin of the SQL server, runs the migrations.')
param principalId string

@description('Display name (UPN) of the deploying user, the SQL server\'s Entra admin login.')
param principalName string

@allowed(['User', 'Group', 'Application'])
param principalType string = 'User'

@description('Where ACS stores email data at rest.')
param emailDataLocation string = 'Europe'

// --- app settings (DESIGN section 9); every production setting comes from a parameter -------------
param sqlQueryTimeoutSeconds string = '30'
param adminRole string = 'access-admin'
param readerRole string = 'access-reader'
@description('Tenant whose users may sign in (the SWA custom Entra registration).')
param azureTenantId string = tenant().tenantId
param adminGroupIds string = ''
param readerGroupIds string = ''
param jobLockTimeoutSeconds string = '600'
param jobHeartbeatSeconds string = '60'
param jobQueueName string = 'job-runs'
param jobSyncWaitSeconds string = '20'
param jobMaxRunSeconds string = '480'
param notificationSchedule string = '0 0 8 * * *'
param revokeSchedule string = '0 */15 * * * *'
param notifyMaxParallel string = '100'
@description('ACS Email allows 30 a minute by default; raise it with the quota.')
param emailMaxPerMinute string = '30'
@description('Mailbox part of the sender address on the Azure-managed domain.')
param emailSenderUsername string = 'DoNotReply'
param emailAllowedDomains string = ''
param notifyOnRevoke string = 'true'
param extensionMaxDays string = '90'
param databricksActiveStatus string = 'Active'
param databricksRevokedStatus string = 'Revoked'
param databricksCreatedColumn string = 'created_at'
param databricksRequestTypes string = 'Read,ReadWrite,Admin'
param palantirRequestTypes string = 'Viewer,Editor,Owner'
param databricksReminderDays string = '30,7'
param palantirActiveStatus string = 'Active'
param palantirRevokedStatus string = 'Revoked'
param palantirEmailColumn string = 'RequestedByEmail'
param palantirExpiryColumn string = 'ExpiresOn'
param palantirCreatedColumn string = 'created_at'
param palantirReminderDays string = '30,7'

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: { name: 'id-${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${token}'
    appInsightsName: 'appi-${token}'
    location: location
    tags: tags
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    dataPrincipalId: identity.outputs.principalId
    deploymentContainerName: 'app-package'
    jobQueueName: jobQueueName
  }
}

module sql 'modules/sql.bicep' = {
  scope: rg
  name: 'sql'
  params: {
    serverName: 'sql-${token}'
    databaseName: 'AccessRequests'
    location: location
    tags: tags
    adminPrincipalId: principalId
    adminPrincipalName: principalName
    adminPrincipalType: principalType
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module email 'modules/email.bicep' = {
  scope: rg
  name: 'email'
  params: {
    emailServiceName: 'ecs-${token}'
    communicationServiceName: 'acs-${token}'
    dataLocation: emailDataLocation
    tags: tags
    senderPrincipalId: identity.outputs.principalId
  }
}

module web 'modules/staticwebapp.bicep' = {
  scope: rg
  name: 'web'
  params: { name: 'stapp-${token}', location: staticWebAppLocation, tags: tags }
}

module api 'modules/functionapp.bicep' = {
  scope: rg
  name: 'api'
  params: {
    planName: 'plan-${token}'
    appName: 'func-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    appSettings: {
      // Identity-based host storage (no shared keys): the host and the job queue trigger use it.
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      // DefaultAzureCredential (SQL token, ACS) picks the user-assigned identity by this id.
      AZURE_CLIENT_ID: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
      // Local auth is disabled on Application Insights: the host authenticates with the identity.
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      DB_BACKEND: 'mssql'
      // No credentials in the string: the app uses the managed identity's access token (DESIGN 8).
      SQL_CONNECTION_STRING: 'Driver={ODBC Driver 18 for SQL Server};Server=tcp:${sql.outputs.serverFqdn},1433;Database=${sql.outputs.databaseName};Encrypt=yes;TrustServerCertificate=no;Connection Timeout=30'
      SQL_QUERY_TIMEOUT_SECONDS: sqlQueryTimeoutSeconds
      AUTH_MODE: 'swa'
      ADMIN_ROLE: adminRole
      READER_ROLE: readerRole
      AZURE_TENANT_ID: azureTenantId
      ADMIN_GROUP_IDS: adminGroupIds
      READER_GROUP_IDS: readerGroupIds
      ALLOW_TEST_SIMULATION: 'false'
      JOB_LOCK_TIMEOUT_SECONDS: jobLockTimeoutSeconds
      JOB_HEARTBEAT_SECONDS: jobHeartbeatSeconds
      REVOKE_DEMO_DELAY_SECONDS: '0'
      JOB_QUEUE_NAME: jobQueueName
      JOB_SYNC_WAIT_SECONDS: jobSyncWaitSeconds
      JOB_MAX_RUN_SECONDS: jobMaxRunSeconds
      NOTIFICATION_SCHEDULE: notificationSchedule
      REVOKE_SCHEDULE: revokeSchedule
      NOTIFY_MAX_PARALLEL: notifyMaxParallel
      EMAIL_MODE: 'acs'
      ACS_ENDPOINT: email.outputs.endpoint
      EMAIL_FROM: '${emailSenderUsername}@${email.outputs.senderDomain}'
      EMAIL_MAX_PER_MINUTE: emailMaxPerMinute
      EMAIL_ALLOWED_DOMAINS: emailAllowedDomains
      PUBLIC_BASE_URL: 'https://${web.outputs.defaultHostname}'
      NOTIFY_ON_REVOKE: notifyOnRevoke
      EXTENSION_MAX_DAYS: extensionMaxDays
      DATABRICKS_ACTIVE_STATUS: databricksActiveStatus
      DATABRICKS_REVOKED_STATUS: databricksRevokedStatus
      DATABRICKS_CREATED_COLUMN: databricksCreatedColumn
      DATABRICKS_REQUEST_TYPES: databricksRequestTypes
      PALANTIR_REQUEST_TYPES: palantirRequestTypes
      DATABRICKS_REMINDER_DAYS: databricksReminderDays
      PALANTIR_ACTIVE_STATUS: palantirActiveStatus
      PALANTIR_REVOKED_STATUS: palantirRevokedStatus
      PALANTIR_EMAIL_COLUMN: palantirEmailColumn
      PALANTIR_EXPIRY_COLUMN: palantirExpiryColumn
      PALANTIR_CREATED_COLUMN: palantirCreatedColumn
      PALANTIR_REMINDER_DAYS: palantirReminderDays
    }
  }
}

module link 'modules/staticwebapp-link.bicep' = {
  scope: rg
  name: 'web-link'
  params: {
    staticWebAppName: web.outputs.name
    functionAppId: api.outputs.id
    functionAppLocation: location
  }
}

// Names and addresses only: nothing secret is ever an output.
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_STATIC_WEB_APP_NAME string = web.outputs.name
output STATIC_WEB_APP_URL string = 'https://${web.outputs.defaultHostname}'
output AZURE_SQL_SERVER_FQDN string = sql.outputs.serverFqdn
output AZURE_SQL_SERVER_NAME string = sql.outputs.serverName
output AZURE_SQL_DATABASE string = sql.outputs.databaseName
output SERVICE_IDENTITY_NAME string = identity.outputs.name
output EMAIL_SENDER string = '${emailSenderUsername}@${email.outputs.senderDomain}'
