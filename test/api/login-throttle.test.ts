// The sign-in throttle suite (login-throttle.ts) on SQLite.
import { loginThrottleSuite } from './login-throttle.ts';

loginThrottleSuite('sqlite');
