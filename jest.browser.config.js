/** Browser end-to-end suite: playwright-core driving Debian's /usr/bin/chromium. */
const base = require('./jest.config');
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/'], testMatch: ['**/test/browser/**/*.test.ts'], testTimeout: 120000, maxWorkers: 1 };
