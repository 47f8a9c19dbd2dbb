using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace AuditPortal.Web.Infrastructure.Logging;

/// <summary>
/// Escapes line breaks and other control characters in every string a log event carries (user names typed at
/// sign-in, request paths, reasons), so that a value can never end a log line and forge the next one:
/// "eve\r\n[12:00:00 INF] admin signed in" is written as <c>eve\r\n[12:00:00 INF] admin signed in</c> on one line.
/// Runs as the last enricher, after the properties of the log context have been added.
/// </summary>
public sealed class SafeLogValues : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replaced = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var safe = Escape(value);
            if (!ReferenceEquals(safe, value)) (replaced ??= []).Add(new LogEventProperty(name, safe));
        }
        if (replaced is null) return;
        foreach (var property in replaced) logEvent.AddOrUpdateProperty(property);
    }

    /// <summary>The same value with every string in it escaped; the very same instance when nothing needed it.</summary>
    public static LogEventPropertyValue Escape(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                return NeedsEscape(text) ? new ScalarValue(EscapeText(text)) : value;
            case ScalarValue { Value: null or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal or Guid or DateTime or DateTimeOffset or TimeSpan or Enum }:
                return value;
            case ScalarValue scalar:
                // Anything else is written through its ToString (a PathString, a Uri): escape that text if it needs it.
                var rendered = Convert.ToString(scalar.Value, CultureInfo.InvariantCulture) ?? "";
                return NeedsEscape(rendered) ? new ScalarValue(EscapeText(rendered)) : value;
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Escape).ToList();
                return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var properties = structure.Properties.Select(p => new { p, Safe = Escape(p.Value) }).ToList();
                return properties.All(x => ReferenceEquals(x.Safe, x.p.Value))
                    ? value
                    : new StructureValue(properties.Select(x => new LogEventProperty(x.p.Name, x.Safe)), structure.TypeTag);
            case DictionaryValue dictionary:
                var pairs = dictionary.Elements.Select(kv => (Key: (ScalarValue)Escape(kv.Key), Value: Escape(kv.Value))).ToList();
                return pairs.Zip(dictionary.Elements).All(x => ReferenceEquals(x.First.Key, x.Second.Key) && ReferenceEquals(x.First.Value, x.Second.Value))
                    ? value
                    : new DictionaryValue(pairs.Select(x => new KeyValuePair<ScalarValue, LogEventPropertyValue>(x.Key, x.Value)));
            default:
                return value;
        }
    }

    public static bool NeedsEscape(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c)) return true;
        }
        return false;
    }

    /// <summary>\r, \n and \t as their C escapes, every other control or line/paragraph separator as \uXXXX.</summary>
    public static string EscapeText(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r': sb.Append("\\r"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (IsUnsafe(c)) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    // U+2028/U+2029 end a line in many log viewers; bidirectional overrides reorder what a reader sees.
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
