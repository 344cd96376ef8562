/**
 * Outgoing mail: a durable outbox ({@code mail_outbox}) fed over the bus and a relay that
 * sends due rows over SMTP (or, without an SMTP host, writes them to the log and the data
 * directory), retrying with doubling backoff.
 */
package dev.chrysalis.forge.mail;
