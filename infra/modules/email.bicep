// Azure Communication Services Email with an Azure-managed domain (DoNotReply@<guid>.azurecomm.net).
// The app sends as its managed identity (ACS_ENDPOINT, no connection string): ACS documents a custom
// role with these three actions for Entra ID senders; nothing broader is granted.
param emailServiceName string
param communicationServiceName string
param dataLocation string
param tags object
param senderPrincipalId string

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
  }
}

resource emailSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'acs-email-sender')
  properties: {
    roleName: 'ACS Email Sender (${resourceGroup().name})'
    description: 'Send email through Azure Communication Services with an Entra ID identity.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
        notActions: []
      }
    ]
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: communicationService
  name: guid(communicationService.id, senderPrincipalId, emailSenderRole.id)
  properties: {
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: emailSenderRole.id
  }
}

output endpoint string = 'https://${communicationService.properties.hostName}'
output senderDomain string = managedDomain.properties.mailFromSenderDomain
