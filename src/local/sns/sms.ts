/**
 * The SMS operations: Set/GetSMSAttributes, CheckIfPhoneNumberIsOptedOut, ListPhoneNumbersOptedOut,
 * OptInPhoneNumber, GetSMSSandboxAccountStatus, Create/Verify/List/DeleteSMSSandboxPhoneNumber and
 * ListOriginationNumbers, and Publish to a phone number. Validated and stored in SQLite with AWS's texts;
 * no SMS is ever sent.
 *
 * Deliberately different: the account is always in the SMS sandbox and owns no origination numbers;
 * numbers are opted out only through `optOut()` (what a recipient replying STOP does on AWS), for tests;
 * the one-time password of a sandbox number is not texted but written to the log
 * (`SNS sandbox OTP +15550100 123456`).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import { AwsError } from '../../domain/aws-error.js';
import * as E from './errors.js';
import type { SnsContext, SnsService } from './service.js';
import { maxResults, nullMember, optString, page, stringMap, type Input, type Output } from './ops-common.js';
import { MAX_MESSAGE_BYTES, PAGE_SIZE, type SMS_OPERATIONS } from './constants.js';

/** SetSMSAttributes names (API reference). */
const SMS_ATTRIBUTES = new Set([
  'MonthlySpendLimit',
  'DeliveryStatusIAMRole',
  'DeliveryStatusSuccessSamplingRate',
  'DefaultSenderID',
  'DefaultSMSType',
  'UsageReportS3Bucket',
]);
/** AWS-recorded (test_get_sms_attributes_from_unmodified_region): an untouched account reports only this. */
const SMS_DEFAULTS: Record<string, string> = { MonthlySpendLimit: '1' };
const LANGUAGE_CODES = new Set(['en-US', 'en-GB', 'es-419', 'es-ES', 'de-DE', 'fr-CA', 'fr-FR', 'it-IT', 'ja-JP', 'pt-BR', 'kr-KR', 'zh-CN', 'zh-TW']);
/** The model's PhoneNumberString (sandbox numbers). */
const SANDBOX_NUMBER = /^(\+[0-9]{8,}|[0-9]{0,9})$/;
/** E.164 for the opt-out operations. */
const E164 = /^\+?[1-9][0-9]{1,14}$/;

const badPhoneNumber = () => E.invalidParameter('PhoneNumber Reason: input incorrectly formatted'); // AWS-recorded test_opt_in_invalid_number
const sandboxNumberNotFound = () => new AwsError('ResourceNotFound', 'Phone number does not exist.', { status: 404 }); // UNVERIFIED text

export class SnsSms {
  private readonly s;

  constructor(
    private readonly sns: SnsService,
    db: Db,
    private readonly clock: Clock,
  ) {
    this.s = {
      attrs: db.prepare(`SELECT name, value FROM sns_sms_attributes ORDER BY name`),
      putAttr: db.prepare(`INSERT OR REPLACE INTO sns_sms_attributes (name, value) VALUES (?, ?)`),
      optedOut: db.prepare(`SELECT 1 FROM sns_sms_opted_out WHERE phone_number = ?`),
      allOptedOut: db.prepare(`SELECT phone_number FROM sns_sms_opted_out ORDER BY opted_out_ms, phone_number`),
      optOut: db.prepare(`INSERT OR IGNORE INTO sns_sms_opted_out (phone_number, opted_out_ms) VALUES (?, ?)`),
      optIn: db.prepare(`DELETE FROM sns_sms_opted_out WHERE phone_number = ?`),
      sandbox: db.prepare(`SELECT * FROM sns_sms_sandbox_numbers WHERE phone_number = ?`),
      sandboxAll: db.prepare(`SELECT * FROM sns_sms_sandbox_numbers ORDER BY created_ms, phone_number`),
      sandboxPut: db.prepare(
        `INSERT OR REPLACE INTO sns_sms_sandbox_numbers (phone_number, status, otp, language_code, created_ms) VALUES (?, ?, ?, ?, ?)`,
      ),
      sandboxVerify: db.prepare(`UPDATE sns_sms_sandbox_numbers SET status = 'Verified' WHERE phone_number = ?`),
      sandboxDelete: db.prepare(`DELETE FROM sns_sms_sandbox_numbers WHERE phone_number = ?`),
    };
  }

  get ops(): Record<(typeof SMS_OPERATIONS)[number], (i: Input, c: SnsContext) => Output> {
    return {
      SetSMSAttributes: (i) => this.setAttributes(i),
      GetSMSAttributes: (i) => this.getAttributes(i),
      CheckIfPhoneNumberIsOptedOut: (i) => ({ isOptedOut: this.s.optedOut.get(this.e164(i)) !== undefined }),
      ListPhoneNumbersOptedOut: (i) => this.listOptedOut(i),
      OptInPhoneNumber: (i) => this.optIn(i),
      GetSMSSandboxAccountStatus: () => ({ IsInSandbox: true }),
      CreateSMSSandboxPhoneNumber: (i) => this.createSandboxNumber(i),
      VerifySMSSandboxPhoneNumber: (i) => this.verifySandboxNumber(i),
      ListSMSSandboxPhoneNumbers: (i) => this.listSandboxNumbers(i),
      DeleteSMSSandboxPhoneNumber: (i) => this.deleteSandboxNumber(i),
      ListOriginationNumbers: (i) => this.listOriginationNumbers(i),
    };
  }

  /**
   * Publish to a phone number: validated and logged (`SNS -> sms +1555… 9B id=… (not sent)`), never texted.
   * AWS-recorded (test_publish_wrong_phone_format): a number that is not E.164 is "… is not valid to publish
   * to". Not imitated: the sandbox restriction to verified numbers, spend limits, SMS message lengths.
   */
  publishToPhone(input: Input, ctx: SnsContext): Output {
    const n = optString(input, 'PhoneNumber') ?? '';
    if (!E164.test(n)) throw E.invalidParameter(`PhoneNumber Reason: ${n} is not valid to publish to`);
    const message = input.Message;
    if (message === undefined || message === null || message === '') throw E.invalidParameter('Empty message');
    if (typeof message !== 'string') throw E.invalidParameter('Message');
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw E.invalidParameter('Message too long');
    const id = randomUUID();
    const optedOut = this.s.optedOut.get(n) !== undefined;
    this.sns.log(`SNS -> sms ${n} ${Buffer.byteLength(message, 'utf8')}B id=${id} (${optedOut ? 'opted out, dropped' : 'not sent'}; request ${ctx.requestId})`);
    return { MessageId: id };
  }

  /** Records that `phoneNumber` opted out (a STOP reply on AWS); for tests and `svl/testing`. */
  optOut(phoneNumber: string): void {
    this.s.optOut.run(phoneNumber, this.clock.now());
  }

  /** AWS-recorded texts (test_set_invalid_sms_attributes): unknown name, bad DefaultSMSType. */
  private setAttributes(input: Input): Output {
    if (input.attributes === undefined || input.attributes === null) throw nullMember('attributes');
    const attrs = stringMap(input.attributes, 'attributes');
    for (const [k, v] of Object.entries(attrs)) {
      if (!SMS_ATTRIBUTES.has(k)) throw new AwsError('InvalidParameter', `${k} is not a valid attribute`);
      if (k === 'DefaultSMSType' && v !== 'Promotional' && v !== 'Transactional') throw new AwsError('InvalidParameter', 'DefaultSMSType is invalid');
      // Sender IDs: 1-11 letters and digits, at least one letter (AWS docs); the text is UNVERIFIED.
      if (k === 'DefaultSenderID' && !(/^[A-Za-z0-9]{1,11}$/.test(v) && /[A-Za-z]/.test(v))) throw new AwsError('InvalidParameter', 'DefaultSenderID is invalid');
      if ((k === 'MonthlySpendLimit' || k === 'DeliveryStatusSuccessSamplingRate') && !/^\d+$/.test(v)) {
        throw new AwsError('InvalidParameter', `${k} is invalid`); // UNVERIFIED text
      }
      if (k === 'DeliveryStatusSuccessSamplingRate' && Number(v) > 100) throw new AwsError('InvalidParameter', `${k} is invalid`);
    }
    for (const [k, v] of Object.entries(attrs)) this.s.putAttr.run(k, v);
    return {};
  }

  private getAttributes(input: Input): Output {
    const all: Record<string, string> = { ...SMS_DEFAULTS };
    for (const r of this.s.attrs.all() as Array<{ name: string; value: string }>) all[r.name] = r.value;
    const wanted = input.attributes;
    if (Array.isArray(wanted) && wanted.length > 0) {
      return { attributes: Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k))) };
    }
    return { attributes: Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) };
  }

  private e164(input: Input): string {
    const n = optString(input, 'phoneNumber');
    if (n === undefined || !E164.test(n)) throw badPhoneNumber();
    return n;
  }

  private listOptedOut(input: Input): Output {
    const all = (this.s.allOptedOut.all() as Array<{ phone_number: string }>).map((r) => r.phone_number);
    const { items, next } = page(all, optString(input, 'nextToken'), PAGE_SIZE, 'nextToken');
    const out: Output = { phoneNumbers: items };
    if (next) out.nextToken = next;
    return out;
  }

  /** AWS-recorded (test_opt_in_non_existing_phone_number): opting in a number that never opted out succeeds. */
  private optIn(input: Input): Output {
    const n = this.e164(input);
    if (this.s.optIn.run(n).changes > 0) this.sns.log(`SNS sms opt-in ${n}`);
    return {};
  }

  private sandboxNumber(input: Input): string {
    const n = optString(input, 'PhoneNumber');
    if (n === undefined || n === '' || n.length > 20 || !SANDBOX_NUMBER.test(n)) {
      // The model's pattern; the text follows AWS's model-validation form (UNVERIFIED for this member).
      throw E.validationError(`Value '${n ?? 'null'}' at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(\\+[0-9]{8,}|[0-9]{0,9})$`);
    }
    return n;
  }

  private createSandboxNumber(input: Input): Output {
    const n = this.sandboxNumber(input);
    const lang = optString(input, 'LanguageCode') ?? 'en-US';
    if (!LANGUAGE_CODES.has(lang)) {
      throw E.validationError(`Value '${lang}' at 'languageCode' failed to satisfy constraint: Member must satisfy enum value set: [${[...LANGUAGE_CODES].join(', ')}]`);
    }
    if (this.s.optedOut.get(n) !== undefined) throw new AwsError('OptedOut', 'Phone number is opted out.'); // UNVERIFIED text
    const existing = this.s.sandbox.get(n) as { status: string } | undefined;
    if (existing?.status === 'Verified') throw new AwsError('UserError', 'Phone number is already verified.'); // UNVERIFIED text
    const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.s.sandboxPut.run(n, 'Pending', otp, lang, this.clock.now());
    this.sns.log(`SNS sandbox OTP ${n} ${otp} (not sent)`);
    return {};
  }

  private verifySandboxNumber(input: Input): Output {
    const n = this.sandboxNumber(input);
    const otp = optString(input, 'OneTimePassword') ?? '';
    if (!/^[0-9]{5,8}$/.test(otp)) {
      throw E.validationError(`Value '${otp}' at 'oneTimePassword' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]+$`);
    }
    const row = this.s.sandbox.get(n) as { status: string; otp: string } | undefined;
    if (!row) throw sandboxNumberNotFound();
    if (row.status !== 'Verified') {
      if (row.otp !== otp) throw new AwsError('VerificationException', 'Invalid one-time password.'); // UNVERIFIED text
      this.s.sandboxVerify.run(n);
      this.sns.log(`SNS sandbox verified ${n}`);
    }
    return {};
  }

  private listSandboxNumbers(input: Input): Output {
    const size = maxResults(input, PAGE_SIZE);
    const rows = this.s.sandboxAll.all() as Array<{ phone_number: string; status: string }>;
    const { items, next } = page(rows, optString(input, 'NextToken'), size);
    const out: Output = { PhoneNumbers: items.map((r) => ({ PhoneNumber: r.phone_number, Status: r.status })) };
    if (next) out.NextToken = next;
    return out;
  }

  private deleteSandboxNumber(input: Input): Output {
    const n = this.sandboxNumber(input);
    if (this.s.sandboxDelete.run(n).changes === 0) throw sandboxNumberNotFound();
    return {};
  }

  /** The emulator owns no origination numbers: always an empty list (after validating MaxResults, 1-30). */
  private listOriginationNumbers(input: Input): Output {
    const size = maxResults(input, 30, 'ValidationException'); // the model's error for this operation
    page([], optString(input, 'NextToken'), size);
    return { PhoneNumbers: [] };
  }
}
