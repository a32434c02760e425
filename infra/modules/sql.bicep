// Azure SQL: Entra-only authentication with the deploying principal as admin (it runs the
// migrations and the grants); a serverless database that pauses when idle (a resuming database
// answers 40613, which the app retries on connect). Auditing goes to Log Analytics.
// Checkov's Bicep graph checks (CKV_AZURE_23, CKV_AZURE_25) ignore inline skips: they are met, not skipped.
param serverName string
param databaseName string
param location string
param tags object
param adminPrincipalId string
param adminPrincipalName string
param adminPrincipalType string
param logAnalyticsWorkspaceId string

resource server 'Microsoft.Sql/servers@2023-08-01-preview' = {
  //checkov:skip=CKV_AZURE_113:Flex Consumption without a virtual network connects over the public endpoint; only Azure services are allowed through the firewall and only Entra identities can sign in
  name: serverName
  location: location
  tags: tags
  properties: {
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: adminPrincipalName
      sid: adminPrincipalId
      principalType: adminPrincipalType
      tenantId: tenant().tenantId
    }
  }
}

// 0.0.0.0 - 0.0.0.0 is Azure's "allow Azure services" rule: the Function App's outbound addresses.
resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2023-08-01-preview' = {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01-preview' = {
  //checkov:skip=CKV_AZURE_26:met by databaseThreatDetection (emailAddresses); this check reads only ARM-nested child resources
  //checkov:skip=CKV_AZURE_27:met by databaseThreatDetection (emailAccountAdmins); this check reads only ARM-nested child resources
  //checkov:skip=CKV_AZURE_229:serverless General Purpose at 1 vCore; zone redundancy is a cost decision for the operator
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: {
    name: 'GP_S_Gen5_1'
    tier: 'GeneralPurpose'
    family: 'Gen5'
    capacity: 1
  }
  properties: {
    autoPauseDelay: 60
    minCapacity: json('0.5')
    zoneRedundant: false
    requestedBackupStorageRedundancy: 'Geo'
  }
}

resource auditing 'Microsoft.Sql/servers/auditingSettings@2023-08-01-preview' = {
  parent: server
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 91
  }
}

resource databaseAuditing 'Microsoft.Sql/servers/databases/auditingSettings@2023-08-01-preview' = {
  parent: database
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    retentionDays: 91
  }
}

resource auditDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: database
  name: 'audit-to-log-analytics'
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [{ category: 'SQLSecurityAuditEvents', enabled: true }]
  }
  dependsOn: [databaseAuditing]
}

// Microsoft Defender for SQL's threat detection (a paid plan), all alert types, mailed to the admins.
resource serverThreatDetection 'Microsoft.Sql/servers/securityAlertPolicies@2023-08-01-preview' = {
  parent: server
  name: 'Default'
  properties: {
    state: 'Enabled'
    emailAccountAdmins: true
    emailAddresses: [adminPrincipalName]
  }
}

resource databaseThreatDetection 'Microsoft.Sql/servers/databases/securityAlertPolicies@2023-08-01-preview' = {
  parent: database
  name: 'Default'
  properties: {
    state: 'Enabled'
    emailAccountAdmins: true
    emailAddresses: [adminPrincipalName]
  }
}

output serverName string = server.name
output serverFqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
