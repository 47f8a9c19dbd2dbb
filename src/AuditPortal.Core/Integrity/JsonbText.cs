namespace AuditPortal.Core.Integrity;

/// <summary>
/// The text PostgreSQL prints for a jsonb value (<c>data::text</c>), computed from any JSON text the client sends.
/// The database signs what it stores, and jsonb does not keep the sent text: it sorts object keys (shorter first,
/// then bytewise), keeps the last of duplicate keys, prints <c>", "</c> and <c>": "</c>, unescapes what the
/// serializer escaped (non-ASCII, <c>&lt;</c>, <c>+</c>...) and re-escapes only <c>"</c>, <c>\</c> and control
/// characters, and stores numbers as <c>numeric</c> (no exponent, the fraction digits kept).
/// </summary>
public static class JsonbText
{
    public static string Canonicalize(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = true });
        var sb = new StringBuilder(json.Length + 16);
        Write(sb, doc.RootElement);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                // The last of duplicate keys wins, as in jsonb; then length in UTF-8 bytes, then bytes.
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject()) members[p.Name] = p.Value;
                var keys = members.Keys.Select(k => (Key: k, Bytes: Encoding.UTF8.GetBytes(k))).ToList();
                keys.Sort((a, b) => a.Bytes.Length != b.Bytes.Length ? a.Bytes.Length.CompareTo(b.Bytes.Length) : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
                sb.Append('{');
                for (var i = 0; i < keys.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteString(sb, keys[i].Key);
                    sb.Append(": ");
                    Write(sb, members[keys[i].Key]);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String: WriteString(sb, e.GetString()!); break;
            case JsonValueKind.Number: sb.Append(Numeric(e.GetRawText())); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    /// <summary>PostgreSQL's escape_json: quote, backslash, the five short escapes, other control characters as \u00xx.</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// numeric_out of numeric_in(<paramref name="raw"/>): plain digits, no exponent, as many fraction digits as the
    /// text had minus the exponent (never fewer than none), no sign on zero.
    /// </summary>
    public static string Numeric(string raw)
    {
        var s = raw.AsSpan();
        var negative = s[0] == '-';
        if (negative) s = s[1..];
        var exponent = 0;
        var ePos = s.IndexOfAny('e', 'E');
        if (ePos >= 0)
        {
            exponent = int.Parse(s[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..ePos];
        }
        var dot = s.IndexOf('.');
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : [];
        // All digits, and where the decimal point sits after applying the exponent.
        var digits = string.Concat(intPart, fracPart);
        var scale = Math.Max(0, fracPart.Length - exponent);
        var pointAt = intPart.Length + exponent; // digits before the point
        string integer, fraction;
        if (pointAt <= 0)
        {
            integer = "0";
            fraction = new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            integer = digits + new string('0', pointAt - digits.Length);
            fraction = "";
        }
        else
        {
            integer = digits[..pointAt];
            fraction = digits[pointAt..];
        }
        integer = integer.TrimStart('0');
        if (integer.Length == 0) integer = "0";
        fraction = fraction.Length >= scale ? fraction[..scale] : fraction + new string('0', scale - fraction.Length);
        var isZero = integer == "0" && !fraction.Any(c => c != '0');
        var text = scale > 0 ? integer + "." + fraction : integer;
        return negative && !isZero ? "-" + text : text;
    }
}
