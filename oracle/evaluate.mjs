// The access-rule oracle of baseline's test suite: would AWS allow this request, given these
// policies? It asks @cloud-copilot/iam-simulate (AGPL-3.0; a test-time tool, never shipped).
//
//   node oracle/evaluate.mjs              JSON lines on stdin, one JSON line out per line in
//   node oracle/evaluate.mjs --selftest   built-in cases; exits non-zero on a wrong answer
//
// Input line (identity_policies, resource_policy and context may be left out; any other
// field is an error):
//   {"id": "...", "principal": "cloudtrail.amazonaws.com" | "arn:aws:iam::111122223333:role/x"
//      | "arn:aws:iam::111122223333:user/x",
//    "action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/key",
//    "resource_account": "111122223333", "identity_policies": [<policy document>, ...],
//    "resource_policy": <policy document> | null, "context": {"aws:SourceArn": "...", ...}}
// A policy document is an object or its JSON text. A context value is a string, or an array
// of strings for a multi-valued key (a boolean or number is turned into its string form).
//
// Output line, in the order of the input lines, written as soon as it is known:
//   {"id": <the input's id, or null>, "decision": "Allowed" | "ImplicitlyDenied" |
//    "ExplicitlyDenied" | "Error", "errors": [...], "ignored_context_keys": [...], "note": "..."}
//
// Strict evaluation: a context key the request does not carry is missing, as in AWS, so the
// caller gives every key AWS would set for the request (a missing aws:SecureTransport cannot
// match a Deny on "false"), except those AWS sets from the principal alone, added here (see
// `principalContext`). Error, never a guess, for: a malformed line; a policy the package's
// validator refuses; a condition operator IAM does not have; a context key the package would
// drop, except kms:EncryptionContext:<key> (see `encryptionContextWorkaround`).

import { createInterface } from 'node:readline';

import { validatePolicy } from './validate.mjs';

const PACKAGE = '@cloud-copilot/iam-simulate';
const ESM = new URL(`./node_modules/${PACKAGE}/dist/esm/`, import.meta.url);

async function loadPackage() {
  try {
    const simulate = await import(PACKAGE);
    const internal = (path) => import(new URL(path, ESM).href);
    const [core, request, context, discovery, engine, strings, policy] = await Promise.all([
      internal('core_engine/CoreSimulatorEngine.js'),
      internal('request/request.js'),
      internal('requestContext.js'),
      internal('context_keys/discoveryContextKeyConstraints.js'),
      internal('simulation_engine/simulationEngine.js'),
      internal('util/resourceStrings.js'),
      import('@cloud-copilot/iam-policy')
    ]);
    return {
      runSimulation: simulate.runSimulation,
      allowedContextKeysForRequest: simulate.allowedContextKeysForRequest,
      isWildcardOnlyAction: simulate.isWildcardOnlyAction,
      authorize: core.authorize,
      AwsRequestImpl: request.AwsRequestImpl,
      RequestContextImpl: context.RequestContextImpl,
      DiscoveryContextKeyConstraints: discovery.DiscoveryContextKeyConstraints,
      normalizeSimulationParameters: engine.normalizeSimulationParameters,
      expandShortArn: strings.expandShortArn,
      loadPolicy: policy.loadPolicy
    };
  } catch (error) {
    process.stderr.write(
      `oracle: cannot load ${PACKAGE} from oracle/node_modules (${error.message}); ` +
        'run scripts/oracle-setup first\n'
    );
    process.exit(2);
  }
}

const lib = await loadPackage();

// --- the request ---------------------------------------------------------------------------

const FIELDS = new Set(['id', 'principal', 'action', 'resource', 'resource_account',
  'identity_policies', 'resource_policy', 'context']);

class InputError extends Error {}

function answer(id, decision, { errors = [], ignored = [], note = '' } = {}) {
  return { id, decision, errors, ignored_context_keys: ignored, note };
}

function idOf(input) {
  return input && typeof input === 'object' && !Array.isArray(input) ? input.id ?? null : null;
}

function policyDocument(value, what) {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new InputError(`${what} is not JSON: ${error.message}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${what} must be a policy document (an object or its JSON text)`);
  }
  return value;
}

function contextValue(key, value) {
  const one = (v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    throw new InputError(`context value of ${key} must be a string or an array of strings`);
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

function nonEmptyString(input, field) {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new InputError(`${field} must be a non-empty string`);
  }
  return value;
}

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;

/**
 * The context keys AWS sets from the principal alone, on every request of that principal
 * (the package sets none): for a service principal aws:PrincipalIsAWSService (true),
 * aws:PrincipalServiceName and aws:PrincipalServiceNamesList; for an IAM role or user
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalIsAWSService (false), and aws:username
 * for a user. A key the caller gives wins.
 */
function principalContext(principal) {
  const iam = IAM_PRINCIPAL.exec(principal);
  if (iam) {
    return {
      'aws:PrincipalArn': principal,
      'aws:PrincipalAccount': iam[1],
      'aws:PrincipalIsAWSService': 'false',
      ...(iam[2] === 'user' ? { 'aws:username': iam[3] } : {})
    };
  }
  if (!principal.startsWith('arn:') && principal.includes('.')) {
    return {
      'aws:PrincipalIsAWSService': 'true',
      'aws:PrincipalServiceName': principal,
      'aws:PrincipalServiceNamesList': [principal]
    };
  }
  return {};
}

/** The simulation an input line describes; InputError when it is malformed. */
function parseRequest(input) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError('an input line must be a JSON object');
  }
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    throw new InputError(`unknown fields: ${unknown.join(', ')}`);
  }
  const principal = nonEmptyString(input, 'principal');
  const action = nonEmptyString(input, 'action');
  const resource = nonEmptyString(input, 'resource');
  const resourceAccount = nonEmptyString(input, 'resource_account');
  const identity = input.identity_policies ?? [];
  if (!Array.isArray(identity)) {
    throw new InputError('identity_policies must be an array of policy documents');
  }
  const identityPolicies = identity.map((policy, index) => ({
    name: `identity_policies[${index}]`,
    policy: policyDocument(policy, `identity_policies[${index}]`)
  }));
  const resourcePolicy = input.resource_policy == null
    ? undefined
    : policyDocument(input.resource_policy, 'resource_policy');
  const given = input.context ?? {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new InputError('context must be an object of context keys');
  }
  const contextVariables = {};
  const givenKeys = new Set(Object.keys(given).map((key) => key.toLowerCase()));
  for (const [key, value] of Object.entries(principalContext(principal))) {
    if (!givenKeys.has(key.toLowerCase())) contextVariables[key] = value;
  }
  for (const [key, value] of Object.entries(given)) {
    contextVariables[key] = contextValue(key, value);
  }
  return {
    request: {
      principal,
      action,
      resource: { resource, accountId: resourceAccount },
      contextVariables
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy
  };
}

// --- checks the package leaves out -----------------------------------------------------------

// The condition operators of IAM (each may end in IfExists, but Null; each may follow
// ForAnyValue: or ForAllValues:). The package's validator checks only the set operator, and
// its evaluator takes an operator it does not know as not matching, which would turn a Deny
// off. AWS refuses such a policy when it is stored (moto does not): here it is an Error.
const OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase',
  'StringLike', 'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan',
  'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals',
  'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan',
  'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals',
  'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null'
].map((operator) => operator.toLowerCase()));

function conditionOperatorErrors(policy, where) {
  const errors = [];
  [policy.Statement ?? []].flat().forEach((statement, index) => {
    const condition = statement && typeof statement === 'object' ? statement.Condition : undefined;
    if (!condition || typeof condition !== 'object') return;
    for (const operator of Object.keys(condition)) {
      let base = operator.slice(operator.indexOf(':') + 1).toLowerCase();
      const ifExists = base.endsWith('ifexists');
      if (ifExists) base = base.slice(0, -'ifexists'.length);
      if (!OPERATORS.has(base) || (ifExists && base === 'null')) {
        errors.push(`${where}: unknown condition operator ${operator} ` +
          `(at Statement[${index}].Condition)`);
      }
    }
  });
  return errors;
}

/** runSimulation's validation errors as strings. */
function simulationErrors(errors) {
  const lines = [];
  const add = (where, list) => {
    for (const error of list ?? []) {
      lines.push(`${where}: ${error.message}${error.path ? ` (at ${error.path})` : ''}`);
    }
  };
  for (const [name, list] of Object.entries(errors.identityPolicyErrors ?? {})) add(name, list);
  add('resource_policy', errors.resourcePolicyErrors);
  add('session policy', errors.sessionPolicyErrors);
  for (const kind of ['serviceControlPolicyErrors', 'resourceControlPolicyErrors',
    'permissionBoundaryErrors', 'vpcEndpointErrors']) {
    for (const [name, list] of Object.entries(errors[kind] ?? {})) add(name, list);
  }
  for (const message of errors.anonymousRequestErrors ?? []) lines.push(message);
  if (lines.length === 0 || errors.message !== 'policy.errors') {
    lines.unshift(`simulation refused: ${errors.message}`);
  }
  return lines;
}

const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:/i;
const ENCRYPTION_CONTEXT_VARIABLE = 'kms:encryptioncontext:${encryptioncontextkey}';

/**
 * Version 0.1.173 of the package matches a context key against the action's variable keys
 * only by the part before a '/' (aws:PrincipalTag/x): kms:EncryptionContext:aws:cloudtrail:arn
 * is dropped before evaluation and reported in ignoredContextKeys, and a condition on it then
 * fails as if the key were missing. When the action does take kms:EncryptionContext:<key>,
 * evaluate the same request through the package's core `authorize` with those keys kept,
 * built the way unsafeSimulationEngine.js builds it (which calls loadPolicy for the resource
 * policy without a name, and crashes; here it is named). runSimulation has already validated
 * every policy, the action and the resource.
 */
async function encryptionContextWorkaround(simulation, keys) {
  const [service, action] = simulation.request.action.split(':');
  const { validContextValues } = await lib.normalizeSimulationParameters(simulation, undefined);
  const contextValues = { ...validContextValues };
  for (const key of keys) contextValues[key] = simulation.request.contextVariables[key];
  const request = new lib.AwsRequestImpl(
    simulation.request.principal,
    {
      resource: lib.expandShortArn(simulation.request.resource.resource),
      accountId: simulation.request.resource.accountId
    },
    simulation.request.action,
    new lib.RequestContextImpl(contextValues),
    await lib.isWildcardOnlyAction(service, action)
  );
  const analysis = lib.authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: simulation.identityPolicies.map(
      (p) => lib.loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: simulation.resourcePolicy
      ? lib.loadPolicy(simulation.resourcePolicy, { name: 'resource' })
      : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new lib.DiscoveryContextKeyConstraints([])
    },
    serviceSettings: { s3: { blockPublicAccess: undefined } }
  });
  return analysis.result;
}

// --- evaluation ------------------------------------------------------------------------------

/** The answer to one parsed input object. */
export async function evaluate(input) {
  if (input && typeof input === 'object' && !Array.isArray(input) && 'validate' in input) {
    return validatePolicy(input);
  }
  const id = idOf(input);
  let simulation;
  try {
    simulation = parseRequest(input);
  } catch (error) {
    if (error instanceof InputError) return answer(id, 'Error', { errors: [error.message] });
    throw error;
  }
  const operatorErrors = simulation.identityPolicies
    .flatMap((p) => conditionOperatorErrors(p.policy, p.name))
    .concat(simulation.resourcePolicy
      ? conditionOperatorErrors(simulation.resourcePolicy, 'resource_policy')
      : []);
  if (operatorErrors.length > 0) return answer(id, 'Error', { errors: operatorErrors });

  const result = await lib.runSimulation(simulation, { simulationMode: 'Strict' });
  if (result.resultType === 'error') {
    return answer(id, 'Error', { errors: simulationErrors(result.errors) });
  }
  const results = result.resultType === 'single' ? [result.result] : result.results;
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
  if (ignored.length === 0) return answer(id, result.overallResult);

  // Some key was dropped: a condition on it would have acted as if it were missing, which
  // could turn a Deny off. Only kms:EncryptionContext:<key> of an action that takes it is
  // evaluated anyway; any other dropped key makes the answer Error.
  const [service, action] = simulation.request.action.split(':');
  const allowed = await lib.allowedContextKeysForRequest(
    service, action, simulation.request.resource.resource, false, undefined
  ).catch(() => []);
  const takesEncryptionContext = allowed.includes(ENCRYPTION_CONTEXT_VARIABLE);
  const encryption = ignored.filter(
    (key) => takesEncryptionContext && ENCRYPTION_CONTEXT.test(key));
  const others = ignored.filter((key) => !encryption.includes(key));
  if (others.length > 0) {
    return answer(id, 'Error', {
      ignored,
      errors: [
        `context keys that do not apply to ${simulation.request.action} on this resource, ` +
          'which the evaluator would drop (a condition on them would act as if they were ' +
          `missing): ${others.join(', ')}`
      ]
    });
  }
  if (result.resultType !== 'single') {
    return answer(id, 'Error', {
      ignored,
      errors: ['kms:EncryptionContext:<key> is evaluated only for a resource without wildcards']
    });
  }
  const decision = await encryptionContextWorkaround(simulation, encryption);
  return answer(id, decision, {
    ignored,
    note:
      `${encryption.join(', ')} evaluated through the core authorize of ${PACKAGE}: ` +
      'runSimulation drops kms:EncryptionContext:<key> keys (it matches variable keys only ' +
      "after a '/')"
  });
}

/** The answer to one input line; never throws. */
export async function answerLine(line) {
  let input;
  try {
    input = JSON.parse(line);
  } catch (error) {
    return answer(null, 'Error', { errors: [`the input line is not JSON: ${error.message}`] });
  }
  try {
    return await evaluate(input);
  } catch (error) {
    return answer(idOf(input), 'Error', {
      errors: [`the evaluator failed: ${error?.stack ?? error}`]
    });
  }
}

// --- self-test -------------------------------------------------------------------------------

const ACCOUNT = '111122223333';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/baseline`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const CLOUDTRAIL_WRITE = {
  Sid: 'AWSCloudTrailWrite',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::logs/AWSLogs/${ACCOUNT}/*`,
  Condition: {
    StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL }
  }
};

function denyUnless(condition) {
  return {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'],
    Condition: condition
  };
}

const DENY_INSECURE = denyUnless({ Bool: { 'aws:SecureTransport': 'false' } });

function bucketPolicy(...statements) {
  return { Version: '2012-10-17', Statement: statements };
}

function s3Put(id, context, fields = {}) {
  return {
    id,
    principal: 'cloudtrail.amazonaws.com',
    action: 's3:PutObject',
    resource: `arn:aws:s3:::logs/AWSLogs/${ACCOUNT}/CloudTrail/test`,
    resource_account: ACCOUNT,
    resource_policy: bucketPolicy(CLOUDTRAIL_WRITE, DENY_INSECURE),
    context: {
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SourceArn': TRAIL,
      'aws:SourceAccount': ACCOUNT,
      'aws:SecureTransport': 'true',
      ...context
    },
    ...fields
  };
}

const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Root',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*'
    },
    {
      Sid: 'CloudTrailEncrypt',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*`
        },
        StringEquals: { 'aws:SourceArn': TRAIL }
      }
    }
  ]
};

function kmsGenerate(id, trailArn, fields = {}) {
  return {
    id,
    principal: 'cloudtrail.amazonaws.com',
    action: 'kms:GenerateDataKey',
    resource: KEY,
    resource_account: ACCOUNT,
    resource_policy: JSON.stringify(KEY_POLICY),
    context: {
      'kms:EncryptionContext:aws:cloudtrail:arn': trailArn,
      'kms:EncryptionContextKeys': ['aws:cloudtrail:arn'],
      'aws:SourceArn': TRAIL,
      'aws:SourceAccount': ACCOUNT
    },
    ...fields
  };
}

const NOT_A_SERVICE = denyUnless({ Bool: { 'aws:PrincipalIsAWSService': 'false' } });
const WRITER = `arn:aws:iam::${ACCOUNT}:role/writer`;
const WRITE_ANYWHERE = { Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] };
const STREAM = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail:log-stream:` +
  `${ACCOUNT}_CloudTrail_us-east-1`;

const SELFTEST = [
  [s3Put('a service principal, with its SourceArn', {}), 'Allowed'],
  [s3Put('another SourceArn', { 'aws:SourceArn': `${TRAIL}-other` }), 'ImplicitlyDenied'],
  [s3Put('another ACL', { 's3:x-amz-acl': 'private' }), 'ImplicitlyDenied'],
  [s3Put('without TLS', { 'aws:SecureTransport': 'false' }), 'ExplicitlyDenied'],
  [kmsGenerate('encryption context matching StringLike', TRAIL), 'Allowed'],
  [kmsGenerate('encryption context of another account',
    'arn:aws:cloudtrail:us-east-1:444455556666:trail/x'), 'ImplicitlyDenied'],
  [kmsGenerate('no encryption context', TRAIL, { context: { 'aws:SourceArn': TRAIL } }),
    'ImplicitlyDenied'],
  [s3Put('a key S3 does not take', { 'kms:EncryptionContext:aws:s3:arn': 'x' }), 'Error'],
  [s3Put('a key no action takes', { 'ec2:Nonsense': 'x' }), 'Error'],
  [s3Put('an invalid policy', {}, { resource_policy: { Statement: [{ Effect: 'Maybe' }] } }),
    'Error'],
  [{ id: 'a malformed request', principal: 'x' }, 'Error'],
  [s3Put('a condition operator IAM does not have', {}, { resource_policy: bucketPolicy(
    CLOUDTRAIL_WRITE, denyUnless({ BoolX: { 'aws:SecureTransport': 'false' } })) }), 'Error'],
  [s3Put('IfExists and ForAnyValue operators', {}, { resource_policy: bucketPolicy(
    CLOUDTRAIL_WRITE, denyUnless({
      BoolIfExists: { 'aws:SecureTransport': 'false' },
      'ForAnyValue:StringLike': { 'aws:PrincipalServiceNamesList': 'nothing*' }
    })) }), 'Allowed'],
  [s3Put('a Deny of every principal but AWS services, for a service', {},
    { resource_policy: bucketPolicy(CLOUDTRAIL_WRITE, NOT_A_SERVICE) }), 'Allowed'],
  [s3Put('the same Deny, for a role', {}, {
    principal: WRITER,
    identity_policies: [WRITE_ANYWHERE],
    resource_policy: bucketPolicy(CLOUDTRAIL_WRITE, NOT_A_SERVICE)
  }), 'ExplicitlyDenied'],
  [{
    id: 'an identity policy of a role, same account',
    principal: `arn:aws:iam::${ACCOUNT}:role/trail-logs`,
    action: 'logs:PutLogEvents',
    resource: STREAM,
    resource_account: ACCOUNT,
    identity_policies: [{
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail:log-stream:*`
      }]
    }]
  }, 'Allowed']
];

async function selftest() {
  let failed = 0;
  for (const [input, want] of SELFTEST) {
    const got = await answerLine(JSON.stringify(input));
    const good = got.decision === want;
    if (!good) failed += 1;
    process.stdout.write(`${good ? 'ok  ' : 'FAIL'}  ${got.id ?? input.id}: ${got.decision}` +
      `${good ? '' : ` (want ${want}) ${JSON.stringify(got)}`}\n`);
  }
  process.stdout.write(`${SELFTEST.length - failed} of ${SELFTEST.length} cases right\n`);
  return failed === 0;
}

// --- main ------------------------------------------------------------------------------------

async function serve() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // One line at a time, so the answers come out in the order of the questions. stdout is a
  // pipe or a file here, where process.stdout.write is synchronous (Linux): each answer is
  // out before the next line is read.
  for await (const line of lines) {
    process.stdout.write(`${JSON.stringify(await answerLine(line))}\n`);
  }
}

if (process.argv.includes('--selftest')) {
  process.exitCode = (await selftest()) ? 0 : 1;
} else if (process.argv.length > 2) {
  process.stderr.write('usage: node oracle/evaluate.mjs [--selftest]  (JSON lines on stdin)\n');
  process.exitCode = 2;
} else {
  await serve();
}
