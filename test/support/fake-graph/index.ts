export { FakeGraphServer, type Fault, type RequestRecord } from './server';
export { FakeMailbox, type FakeMessage, type SentMail, type FakeAttachment } from './mail-store';
export { createAppCertificate, type AppCertificate } from './certs';
export type { FakeApp, FakeTenant } from './identity';
