import { DurableObject } from 'cloudflare:workers';

export class IdentityDO extends DurableObject {}
