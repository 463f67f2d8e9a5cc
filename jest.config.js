/** Tests are TypeScript compiled by swc (type checking is `make lint`'s job). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/bench', '<rootDir>/cloudcore', '<rootDir>/edgecore', '<rootDir>/mappers', '<rootDir>/pkg'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // client-node 1.x ships ESM only; let swc turn it into CommonJS for the tests.
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
  testTimeout: 20000,
};
