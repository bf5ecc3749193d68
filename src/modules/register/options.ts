// [modules.register] options (docs/registration.md explains each decision).
import { z } from 'zod';

export const registerOptions = z.object({
  enabled: z.boolean().default(false).describe('Let new users create accounts in-band before logging in (XEP-0077 §3.1); password change and cancel work regardless'),
  redirect_url: z.string().url().optional().describe('Register on this web page instead: get returns instructions and the URL (XEP-0077 §7), set gets not-allowed'),
  instructions: z.string().default('Choose a username and password for use with this service.').describe('Text of <instructions/> in the registration form'),
  captcha: z.enum(['off', 'always', 'suspicious']).default('off').describe('XEP-0158 CAPTCHA in the registration form: never, always, or only for addresses over captcha_soft_limit'),
  captcha_provider: z.enum(['qa']).default('qa').describe('CAPTCHA kind: qa (operator questions from captcha_questions)'),
  captcha_questions: z.array(z.object({ question: z.string().min(1), answers: z.array(z.string().min(1)).min(1) }).strict()).default([]).describe('Questions for the qa CAPTCHA, each with its accepted answers (case-insensitive)'),
  captcha_soft_limit: z.number().int().min(0).default(1).describe('With captcha = "suspicious": registrations per address per hour after which a CAPTCHA is required'),
  max_captcha_failures: z.number().int().min(1).default(5).describe('Wrong CAPTCHA answers per address per 10 minutes before registration is refused for a while'),
  invite_only: z.boolean().default(false).describe('With enabled: only holders of an invitation (admin command create-invite) can register; the form gets a required invite field'),
  require_email: z.boolean().default(false).describe('Ask for an email address when registering (kept per user, deleted with the account)'),
  allow_password_change: z.boolean().default(true).describe('Allow in-band password change (XEP-0077 §3.3)'),
  change_password_requires_old: z.boolean().default(false).describe('Password change needs the old password (form jabber:iq:register:changepassword)'),
  allow_cancel: z.boolean().default(true).describe('Allow users to delete their own account in-band (XEP-0077 §3.2)'),
  cancel_requires_password: z.boolean().default(false).describe('Account deletion needs the password (form jabber:iq:register:cancel)'),
  legacy_error_form: z.boolean().default(false).describe('Also place the §3.3 form beside <error/> where XEP-0077 clients look (not RFC 6120 conformant)'),
  min_password_length: z.number().int().min(1).max(1024).default(8).describe('Shortest password accepted in-band, in characters'),
  denied_passwords: z.array(z.string()).default(['password', 'password1', '12345678', '123456789', '1234567890', 'qwertyui', 'qwertyuiop', 'iloveyou', '11111111', '00000000', 'abcdefgh', 'letmein1']).describe('Passwords refused in-band (case-insensitive)'),
  reserved_usernames: z.array(z.string()).default(['abuse', 'admin', 'administrator', 'hostmaster', 'noreply', 'postmaster', 'root', 'security', 'support', 'webmaster', 'xmpp']).describe('Usernames nobody may register in-band (admins can still create them)'),
  quarantine_days: z.number().int().min(0).default(30).describe('Days a cancelled account\'s username stays unavailable for in-band registration (0: none)'),
  max_per_address_hour: z.number().int().min(1).default(3).describe('Registrations per client IP (IPv6: per /64) per hour'),
  max_per_address_day: z.number().int().min(1).default(10).describe('Registrations per client IP (IPv6: per /64) per day'),
  max_global_minute: z.number().int().min(1).default(30).describe('Registrations per minute server-wide (flood breaker)'),
  max_iqs_per_stream: z.number().int().min(1).default(5).describe('Registration requests allowed on one unauthenticated connection'),
}).strict();

export type RegisterOptions = z.infer<typeof registerOptions>;
