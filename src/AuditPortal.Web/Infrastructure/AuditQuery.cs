using AuditPortal.Core.Common;
using Microsoft.AspNetCore.WebUtilities;

namespace AuditPortal.Web.Infrastructure;

/// <summary>The explorer's filter as URL query parameters, shared by the page and the export endpoints.</summary>
public static class AuditQuery
{
    public static (AuditFilter? Filter, string? Error) Parse(string? actor, string? streamType, string? eventType, string? streamId, string? from, string? to, string? text,
        string? correlation = null, string? command = null)
    {
        // Checked first, so that no over-long value is parsed, echoed in a message or sent to the database.
        foreach (var (name, value) in new[] { ("actor", actor), ("stream type", streamType), ("event type", eventType), ("stream id", streamId), ("text", text), ("from", from), ("to", to), ("correlation", correlation), ("command", command) })
        {
            if (value is { Length: > AuditFilter.MaxValueLength })
                return (null, $"The {name} filter is {value.Length} characters long; at most {AuditFilter.MaxValueLength} are allowed.");
        }
        Guid? id = null;
        if (!string.IsNullOrWhiteSpace(streamId))
        {
            if (!Guid.TryParse(streamId.Trim(), out var parsed)) return (null, $"\"{streamId}\" is not a stream id (expected a GUID such as 0190…-…).");
            id = parsed;
        }
        // PostgreSQL refuses a NUL in a query parameter: say so instead of failing the query as if the database were down.
        foreach (var (name, value) in new[] { ("actor", actor), ("stream type", streamType), ("event type", eventType), ("text", text), ("correlation", correlation), ("command", command) })
        {
            if (value is not null && value.Any(char.IsControl))
                return (null, $"The {name} filter contains a control character (such as a line break or NUL); remove it and try again.");
        }
        if (!TryTime(from, out var fromTime)) return (null, $"\"{from}\" is not a date and time (expected e.g. 2026-11-26T18:00).");
        if (!TryTime(to, out var toTime)) return (null, $"\"{to}\" is not a date and time (expected e.g. 2026-11-26T18:00).");
        if (fromTime is not null && toTime is not null && toTime <= fromTime) return (null, "The \"to\" time must be after the \"from\" time.");
        return (new AuditFilter { Actor = actor, StreamType = streamType, EventType = eventType, StreamId = id, From = fromTime, To = toTime, Text = text, Correlation = correlation, Command = command }.Normalized(), null);
    }

    public static string ToQueryString(AuditFilter filter)
    {
        var query = new Dictionary<string, string?>();
        void Put(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) query[key] = value;
        }
        Put("actor", filter.Actor);
        Put("streamType", filter.StreamType);
        Put("eventType", filter.EventType);
        Put("streamId", filter.StreamId?.ToString());
        Put("from", Format(filter.From));
        Put("to", Format(filter.To));
        Put("text", filter.Text);
        Put("correlation", filter.Correlation);
        Put("command", filter.Command);
        return QueryHelpers.AddQueryString("", query);
    }

    public static string? Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Times without an offset (the browser's datetime-local input) are read as UTC, as the explorer shows them.</summary>
    private static bool TryTime(string? value, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (!DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }
}
