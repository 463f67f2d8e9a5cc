/** Tests are TypeScript compiled by swc (type checking is `make lint`'s job). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/bench', '<rootDir>/cloudcore', '<rootDir>/edgecore', '<rootDir>/mappers', '<rootDir>/pkg'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // client-node 1.x and aedes ship ESM only; let swc turn them into CommonJS for the tests.
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|aedes)/)'],
  testTimeout: 20000,
};
