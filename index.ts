// Every node and credential class of the package (used by tests and tooling; n8n itself loads
// the files listed in package.json's "n8n" section).
export { MailCasesSmtp } from './credentials/MailCasesSmtp.credentials';
export { MailCasesMailbox } from './credentials/MailCasesMailbox.credentials';
export { MailCasesSendMail } from './nodes/MailCasesSendMail/MailCasesSendMail.node';
export { MailCasesTrigger } from './nodes/MailCasesTrigger/MailCasesTrigger.node';
export { MailCasesStore } from './credentials/MailCasesStore.credentials';
export { MailCasesExchange } from './credentials/MailCasesExchange.credentials';
