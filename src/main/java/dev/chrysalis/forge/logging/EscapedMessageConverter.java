package dev.chrysalis.forge.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safemsg}: the formatted message with control characters escaped ({@link LogText}), so
 * one event is always one line in the text log, whatever a client put in a logged value. Stack
 * traces stay multi-line: they come from {@code %ex}, not from the message.
 */
public class EscapedMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogText.escape(super.convert(event));
  }
}
