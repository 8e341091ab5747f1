// Spectral's ruleset for /api/schema/: spectral:oas and the OWASP API Security
// ruleset, pinned by package-lock.json. CI fails on any error.
//
// Each rule turned off or narrowed is below with the reason. Narrowed rules
// keep the OWASP rule's check but apply it where its risk is: what a client
// sends (request bodies and parameters), not what the API answers.
import owasp from "@stoplight/spectral-owasp-ruleset";
import { oas } from "@stoplight/spectral-rulesets";
import { defined, pattern, schema } from "@stoplight/spectral-functions";

// Operations that accept anyone's request; the staff API (/moderation/) needs
// a signed-in moderator, the admin editor's endpoints (/editor/) a staff session.
const PUBLIC_PATHS = "$.paths[?(!@property.match(/\\/(moderation|editor)\\//))]";
// A schema of that type, alone or (OpenAPI 3.1) beside "null".
const ofType = (type, node = "@") =>
  `${node} && (${node}.type=='${type}' || (${node}.type && ` +
  `${node}.type.constructor.name === 'Array' && ${node}.type.includes('${type}')))`;
const request = (type) => [
  `$.paths[*][*].requestBody..[?(${ofType(type)})]`,
  `$.paths[*][*].parameters[?(${ofType(type, "@.schema")})].schema`,
];
const REQUEST_STRINGS = request("string");
const REQUEST_ARRAYS = request("array");

export default {
  extends: [oas, owasp],
  rules: {
    // The examples (the demo article's answers) must fit their schemas: an
    // example that does not is an error, not a warning.
    "oas3-valid-schema-example": "error",
    "oas3-valid-media-example": "error",

    // Django's addresses end in a slash (APPEND_SLASH), and the v1 contract's
    // paths are fixed: renaming them would break every frontend.
    "path-keys-no-trailing-slash": "off",

    // Comment ids are not secrets: every public comments page lists them.
    // Access is checked per request (a report takes only a published
    // comment; the moderation API needs the moderate_comment permission).
    "owasp:api1:2023-no-numeric-ids": "off",

    // Rate limits (OWASP API4). Public reads are answered from stored bytes
    // and meant to sit behind a cache or CDN, which is where reads are
    // limited; the staff API is for signed-in moderators. What the API
    // throttles itself, public POSTs, must say so in every answer:
    "owasp:api4:2023-rate-limit": "off",
    "rls:rate-limit-on-public-posts": {
      description: "A public POST's 2XX and 4XX answers carry RateLimit-Limit and RateLimit-Reset.",
      message: "{{error}}",
      severity: "error",
      given: `${PUBLIC_PATHS}.post.responses[?(@property.match(/^(2|4)/))]`,
      then: {
        field: "headers",
        function: schema,
        functionOptions: {
          schema: { type: "object", required: ["RateLimit-Limit", "RateLimit-Reset"] },
        },
      },
    },
    "owasp:api4:2023-rate-limit-responses-429": "off",
    "rls:429-on-public-posts": {
      description: "A public POST documents its 429.",
      severity: "error",
      given: `${PUBLIC_PATHS}.post.responses`,
      then: { field: "429", function: defined },
    },

    // Unbounded input (OWASP API4): narrowed to what a client sends. An
    // answer's strings and arrays are bounded by what editors wrote and by
    // page sizes (every page's results has maxItems).
    "owasp:api4:2023-string-limit": "off",
    "rls:request-string-limit": {
      description: "A string a client sends has maxLength, enum or const.",
      message: "{{error}}",
      severity: "error",
      given: REQUEST_STRINGS,
      then: {
        function: schema,
        functionOptions: {
          schema: {
            type: "object",
            anyOf: [{ required: ["maxLength"] }, { required: ["enum"] }, { required: ["const"] }],
          },
        },
      },
    },
    "owasp:api4:2023-array-limit": "off",
    "rls:request-array-limit": {
      description: "An array a client sends has maxItems.",
      severity: "error",
      given: REQUEST_ARRAYS,
      then: { field: "maxItems", function: defined },
    },

    // Credentials in a URL land in access logs and Referer headers. The v1
    // preview address carries its token in the path: it stays, deprecated,
    // for the contract's sake, with the header form documented beside it. The
    // rule holds for every operation that is not deprecated.
    "owasp:api2:2023-no-credentials-in-url": "off",
    "rls:no-credentials-in-url": {
      description: "No credentials in a path or query parameter of a current operation.",
      message: "Security credentials detected in a parameter: {{value}}.",
      severity: "error",
      given: "$.paths[*][?(@ && !@.deprecated)].parameters[?(@ && @.in && @.in.match(/query|path/))].name",
      then: {
        function: pattern,
        functionOptions: {
          notMatch:
            "/^.*(client_?secret|token|access_?token|refresh_?token|id_?token|password|secret|api-?key).*$/i",
        },
      },
    },
  },
};
