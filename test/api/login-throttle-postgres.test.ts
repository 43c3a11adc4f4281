// The sign-in throttle suite (login-throttle.ts) on PostgreSQL.
import { loginThrottleSuite } from './login-throttle.ts';

loginThrottleSuite('postgres');
