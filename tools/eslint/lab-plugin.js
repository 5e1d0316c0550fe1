// Local ESLint rules of the lab (used by eslint.config.js; tests/unit/house-rules.test.ts probes them).
//
// `no-restricted-imports` only sees static imports and exports, so `await import('../ui/x.js')` or
// `import('onnxruntime-web')` would slip past the layer rules. `lab/no-restricted-dynamic-import`
// applies the same `patterns` (regex, message, caseSensitive) to `import(...)` expressions and to
// `import('...')` types, and reports a dynamic import whose path is not a plain string, since no
// rule could check where it points.

/** The path of an `import(...)` expression or type when it is a plain string, else null. */
function staticSource(source) {
  if (!source) return null;
  if (source.type === 'Literal' && typeof source.value === 'string') return source.value;
  if (source.type === 'TemplateLiteral' && source.expressions.length === 0) return source.quasis[0]?.value.cooked ?? null;
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const noRestrictedDynamicImport = {
  meta: {
    type: 'problem',
    docs: { description: 'Apply no-restricted-imports patterns to dynamic import() and import() types' },
    schema: [
      {
        type: 'object',
        properties: {
          patterns: {
            type: 'array',
            items: {
              type: 'object',
              properties: { regex: { type: 'string' }, message: { type: 'string' }, caseSensitive: { type: 'boolean' }, importNames: { type: 'array', items: { type: 'string' } } },
              required: ['regex'],
              additionalProperties: false,
            },
          },
          requireLiteral: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      restricted: "'{{path}}' import is restricted from being used by a pattern. {{message}}",
      notLiteral: 'Dynamic import() needs a plain string path, so that the layer rules can check where it points.',
    },
  },
  create(context) {
    const { patterns = [], requireLiteral = true } = context.options[0] ?? {};
    // Like no-restricted-imports, a regex pattern is case-insensitive unless caseSensitive is set.
    // A pattern with importNames bans the whole module here: import() hands out every export.
    const compiled = patterns.map((p) => ({ re: new RegExp(p.regex, p.caseSensitive ? 'u' : 'iu'), message: p.message ?? '' }));
    const check = (node, source, isType) => {
      const path = staticSource(source);
      if (path === null) {
        if (requireLiteral && !isType) context.report({ node, messageId: 'notLiteral' });
        return;
      }
      const hit = compiled.find((p) => p.re.test(path));
      if (hit) context.report({ node, messageId: 'restricted', data: { path, message: hit.message } });
    };
    return {
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => check(node, node.source ?? node.argument?.literal, true),
    };
  },
};

export default { meta: { name: 'lab' }, rules: { 'no-restricted-dynamic-import': noRestrictedDynamicImport } };
