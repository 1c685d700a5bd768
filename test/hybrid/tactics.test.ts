import fc from 'fast-check';
import { classifyAlert } from '../../bot/hybrid/alert-tactics';
import { TACTICS, canonicalTactic, canonicalTactics, decodeTactics, encodeTactics } from '../../bot/hybrid/tactics';
import { ATP_DETECTIONS, detectionFor, detectionNamed } from '../../bot/sources/onprem/atp-catalog';
import { cloudTacticsFor } from '../../bot/sources/cloud/cloud-tactics';
import { normalizeMcasAlert } from '../../bot/sources/cloud/normalize-mcas';

describe('MITRE tactics: canonical (Graph) spelling, catalogs, classification', () => {
  test('every spelling a source may use maps to the Graph spelling; anything else is dropped', () => {
    for (const [raw, want] of [
      ['CredentialAccess', 'CredentialAccess'],
      ['Credential Access', 'CredentialAccess'],
      ['CREDENTIAL_ACCESS', 'CredentialAccess'],
      ['credential-access', 'CredentialAccess'],
      ['TA0008', 'LateralMovement'],
      ['Lateral Movement (TA0008)', 'LateralMovement'],
      ['Command and Control', 'CommandAndControl'],
      ['Command & Control', 'CommandAndControl'],
      ['Stealth', 'DefenseEvasion'],
      ['exfiltration', 'Exfiltration'],
    ] as const) {
      expect(canonicalTactic(raw)).toBe(want);
    }
    for (const bad of ['SuspiciousActivity', 'Malware', '', 'x'.repeat(100), 42, null, {}]) expect(canonicalTactic(bad)).toBeNull();
    expect(canonicalTactics(['Discovery', 'discovery', 'Nonsense', 'TA0006'])).toEqual(['Discovery', 'CredentialAccess']);
    expect(decodeTactics(encodeTactics(['LateralMovement', 'PrivilegeEscalation']))).toEqual(['LateralMovement', 'PrivilegeEscalation']);
    expect(decodeTactics('LateralMovement,Bogus')).toEqual(['LateralMovement']);
  });

  test('canonicalTactics never throws and only ever returns canonical tactics (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const out = canonicalTactics(raw);
        expect(out.every((t) => (TACTICS as readonly string[]).includes(t))).toBe(true);
        expect(new Set(out).size).toBe(out.length);
      }),
    );
  });

  test('all 45 Azure ATP detections carry Microsoft’s documented tactic(s), primary first', () => {
    expect(ATP_DETECTIONS).toHaveLength(45);
    for (const d of ATP_DETECTIONS) {
      expect(d.tactics.length).toBeGreaterThan(0);
      for (const t of d.tactics) expect(TACTICS).toContain(t);
    }
    // Spot checks against the Defender for Identity alert pages ("Primary MITRE tactic").
    const primary = (id: string) => detectionFor(id)!.tactics[0];
    expect(primary('2017')).toBe('LateralMovement'); // pass-the-hash
    expect(primary('2018')).toBe('LateralMovement'); // pass-the-ticket
    expect(primary('2023')).toBe('CredentialAccess'); // brute force (Kerberos, NTLM)
    expect(primary('2033')).toBe('LateralMovement'); // brute force (SMB): Microsoft files it under lateral movement
    expect(primary('2003')).toBe('Discovery');
    expect(detectionFor('2038')!.tactics).toEqual(['Discovery', 'CredentialAccess']);
    expect(primary('2006')).toBe('CredentialAccess'); // DCSync
    expect(primary('2025')).toBe('DefenseEvasion'); // VPN
    expect(primary('2022')).toBe('Persistence'); // golden ticket
    expect(primary('2030')).toBe('Exfiltration');
    expect(primary('2411')).toBe('PrivilegeEscalation');
    expect(detectionNamed('Suspected identity theft (pass-the-hash)')?.externalId).toBe('2017');
  });

  test('Cloud App Security alert types map by policy name or title, as the anomaly-detection guide files them', () => {
    expect(cloudTacticsFor('Impossible travel activity')).toEqual(['InitialAccess']);
    expect(cloudTacticsFor('Activity from infrequent country')).toEqual(['InitialAccess']);
    expect(cloudTacticsFor(null, 'Activity from anonymous IP addresses')).toEqual(['InitialAccess']);
    expect(cloudTacticsFor('Mass download by a single user')).toEqual(['Exfiltration']);
    expect(cloudTacticsFor('Unusual file download (by user)')).toEqual(['Exfiltration']);
    expect(cloudTacticsFor('Suspicious inbox forwarding')).toEqual(['Exfiltration']);
    expect(cloudTacticsFor('Suspicious inbox manipulation rule')).toEqual(['Persistence']);
    expect(cloudTacticsFor('Ransomware activity')).toEqual(['Impact']);
    expect(cloudTacticsFor('Unusual file deletion activity (by user)')).toEqual(['Impact']);
    expect(cloudTacticsFor('Multiple failed login attempts')).toEqual(['CredentialAccess']);
    expect(cloudTacticsFor('Unusual administrative activity (by user)')).toEqual(['PrivilegeEscalation']);
    expect(cloudTacticsFor('Some brand-new policy')).toBeNull();
  });

  test('classification: a source’s tactics win; else the catalogs; an ATP alert seen through the cloud is on-premises; unknown types fall back to keywords or none', () => {
    expect(classifyAlert({ source: 'onprem', type: '2017', title: 'x' })).toEqual({ tactics: ['LateralMovement'], environment: 'onprem' });
    expect(classifyAlert({ source: 'onprem', type: '2017', title: 'x', tactics: ['CredentialAccess'] })).toEqual({ tactics: ['CredentialAccess'], environment: 'onprem' });
    expect(classifyAlert({ source: 'both', type: '2023', title: 'x' })).toEqual({ tactics: ['CredentialAccess'], environment: 'onprem' });
    expect(classifyAlert({ source: 'cloud', type: 'policy:abc', title: 'Suspected identity theft (pass-the-hash)' })).toEqual({ tactics: ['LateralMovement'], environment: 'onprem' });
    expect(classifyAlert({ source: 'cloud', type: 'policy:abc', typeName: 'Impossible travel', title: 'Impossible travel activity' })).toEqual({ tactics: ['InitialAccess'], environment: 'cloud' });
    // A new Azure ATP detection (unknown external id) named from CEF: keywords.
    expect(classifyAlert({ source: 'onprem', type: '2499', typeName: 'Suspected brute force attack (RDP)', title: 'Suspected brute force attack (RDP)' }).tactics).toEqual(['CredentialAccess']);
    expect(classifyAlert({ source: 'cloud', type: 'title:zzz', title: 'Something new' })).toEqual({ tactics: [], environment: 'cloud' });
  });

  test('Cloud App Security `intent` is used only for alert types the catalogs do not know', () => {
    const alert = (title: string, intent: unknown) => ({ _id: 'a'.repeat(24), timestamp: Date.parse('2026-03-02T09:00:00Z'), title, severityValue: 1, intent, entities: [{ type: 'user', id: '00000000-0000-0000-0000-000000000004', pa: 'jdoe@contoso.com' }] });
    const known = normalizeMcasAlert(alert('Impossible travel activity', ['Exfiltration']));
    expect(known.ok && known.value.alert.tactics).toBeFalsy();
    const unknown = normalizeMcasAlert(alert('A policy of our own', ['CREDENTIAL_ACCESS', 'nonsense', 7]));
    expect(unknown.ok && unknown.value.alert.tactics).toEqual(['CredentialAccess']);
    const hostile = normalizeMcasAlert(alert('A policy of our own', { evil: true }));
    expect(hostile.ok).toBe(true);
    expect(hostile.ok && hostile.value.alert.tactics).toBeFalsy();
  });
});
