// Every node and credential class of the package (used by tests and tooling; n8n itself loads
// the files listed in package.json's "n8n" section).
export { MailCasesSmtp } from './credentials/MailCasesSmtp.credentials';
export { MailCasesMailbox } from './credentials/MailCasesMailbox.credentials';
export { MailCasesSendMail } from './nodes/MailCasesSendMail/MailCasesSendMail.node';
export { MailCasesTrigger } from './nodes/MailCasesTrigger/MailCasesTrigger.node';
export { MailCasesStore } from './credentials/MailCasesStore.credentials';
export { MailCasesExchange } from './credentials/MailCasesExchange.credentials';
export { MailCase } from './nodes/MailCase/MailCase.node';
export { CaseMatch } from './nodes/CaseMatch/CaseMatch.node';
export { AddToCase } from './nodes/AddToCase/AddToCase.node';
export { ParseFields } from './nodes/ParseFields/ParseFields.node';
export { ContactLookup } from './nodes/ContactLookup/ContactLookup.node';
export { NotifyResponsible } from './nodes/NotifyResponsible/NotifyResponsible.node';
export { ForwardMail } from './nodes/ForwardMail/ForwardMail.node';
export { CreateCaseFromMail } from './nodes/CreateCaseFromMail/CreateCaseFromMail.node';
