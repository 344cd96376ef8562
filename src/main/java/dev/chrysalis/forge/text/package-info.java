/**
 * Rules for text that identifies people or is shown to other people: the canonical form of an
 * email address ({@link dev.chrysalis.forge.text.EmailAddress}) and which characters a visible name
 * may hold ({@link dev.chrysalis.forge.text.VisibleText}). Pure functions, shared by every
 * package that stores or compares such text.
 */
package dev.chrysalis.forge.text;
