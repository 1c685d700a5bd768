import { can, CAPABILITIES, denialMessage, roleNameForTemplateId, ROLE_NAMES, ROLE_TEMPLATE_IDS } from '../../bot/directory/roles';

describe('role mapping', () => {
  test('template ids map both ways', () => {
    for (const n of ROLE_NAMES) expect(roleNameForTemplateId(ROLE_TEMPLATE_IDS[n].toUpperCase())).toBe(n);
    expect(roleNameForTemplateId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  test('only a Global Administrator may enable/disable (the seed)', () => {
    expect(CAPABILITIES.integrate).toEqual(['Global Administrator']);
    for (const n of ROLE_NAMES) expect(can([n], 'integrate')).toBe(n === 'Global Administrator');
  });

  test('readers read and nothing else; Security Operator may operate but not manage', () => {
    expect(can(['Security Reader'], 'read')).toBe(true);
    expect(can(['Global Reader'], 'operate')).toBe(false);
    expect(can(['Security Operator'], 'operate')).toBe(true);
    expect(can(['Security Operator'], 'manage')).toBe(false);
    expect(can(['Security Administrator'], 'manage')).toBe(true);
  });

  test('no roles: nothing (fail closed)', () => {
    for (const c of Object.keys(CAPABILITIES) as Array<keyof typeof CAPABILITIES>) expect(can([], c)).toBe(false);
  });

  test('denials name the role needed, the roles held, and who can grant it', () => {
    const m = denialMessage('Enabling the integration', 'integrate', ['Security Administrator', 'Security Reader']);
    expect(m).toMatch(/needs the Global Administrator role/);
    expect(m).toMatch(/You have: Security Administrator, Security Reader\./);
    expect(m).toMatch(/Privileged Role Administrator or Global Administrator can assign/);
    expect(denialMessage('x', 'read', [])).toMatch(/one of these roles: Global Administrator, Security Administrator/);
  });
});
