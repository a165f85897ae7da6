// The run families `--only` selects; each one is a folder of probes/.

export type Family = 'dns' | 'ports' | 'protocols' | 'ldap' | 'auth';

export const FAMILY_NAMES: readonly Family[] = ['dns', 'ports', 'protocols', 'ldap', 'auth'];
