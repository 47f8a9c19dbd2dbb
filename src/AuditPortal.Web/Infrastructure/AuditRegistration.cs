using System.Globalization;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Common;
using Microsoft.AspNetCore.WebUtilities;

namespace AuditPortal.Web.Infrastructure;

public static class AuditRegistration
{
    /// <summary>Services of the Audit pages.</summary>
    public static IServiceCollection AddAuditPages(this IServiceCollection services)
    {
        services.AddSingleton<AuditFeed>();
        services.AddSingleton<IAuditReader>(sp => sp.GetRequiredService<AuditFeed>());
        // Scoped: the as-of-state view checks the circuit's user at the moment it runs.
        services.AddScoped<IStreamStates, StreamStateReader>();
        return services;
    }

    /// <summary>Streamed CSV and JSON downloads of a filtered audit feed; each download is recorded as an AuditExported event.</summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/audit/export.csv", (HttpContext http, AuditFeed feed, IConfiguration configuration) => ExportAsync(http, feed, configuration, AuditExport.Csv));
        app.MapGet("/audit/export.json", (HttpContext http, AuditFeed feed, IConfiguration configuration) => ExportAsync(http, feed, configuration, AuditExport.Json));
        return app;
    }

    private static async Task ExportAsync(HttpContext http, AuditFeed feed, IConfiguration configuration, string format)
    {
        var ct = http.RequestAborted;
        var (filter, error) = AuditQuery.Parse(
            http.Request.Query["actor"], http.Request.Query["streamType"], http.Request.Query["eventType"], http.Request.Query["streamId"],
            http.Request.Query["from"], http.Request.Query["to"], http.Request.Query["text"]);
        if (filter is null)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(error!, ct);
            return;
        }

        // The same actor CurrentUser gives a circuit: the signed-in user, else (until sign-in exists) the bootstrap admin.
        var name = http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } n } ? n : configuration["Portal:BootstrapAdmin"] ?? "admin";
        var actor = new Actor(name, Guid.CreateVersion7().ToString());
        if (!await feed.CanExportAsync(actor, ct))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("You do not have the ExportAudit permission needed to export the audit feed.", ct);
            return;
        }

        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        http.Response.ContentType = format == AuditExport.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.{format}\"";
        var rows = feed.ReadAllAsync(filter, ct);
        var count = format == AuditExport.Csv
            ? await AuditExport.WriteCsvAsync(rows, http.Response.Body, ct)
            : await AuditExport.WriteJsonAsync(rows, http.Response.Body, ct);
        await feed.RecordExportAsync(actor, filter, format, count, CancellationToken.None);
    }
}

/// <summary>The explorer's filter as URL query parameters, shared by the page and the export endpoints.</summary>
public static class AuditQuery
{
    public static (AuditFilter? Filter, string? Error) Parse(string? actor, string? streamType, string? eventType, string? streamId, string? from, string? to, string? text)
    {
        Guid? id = null;
        if (!string.IsNullOrWhiteSpace(streamId))
        {
            if (!Guid.TryParse(streamId.Trim(), out var parsed)) return (null, $"\"{streamId}\" is not a stream id (expected a GUID such as 0190…-…).");
            id = parsed;
        }
        // PostgreSQL refuses a NUL in a query parameter: say so instead of failing the query as if the database were down.
        foreach (var (name, value) in new[] { ("actor", actor), ("stream type", streamType), ("event type", eventType), ("text", text) })
        {
            if (value is not null && value.Any(char.IsControl))
                return (null, $"The {name} filter contains a control character (such as a line break or NUL); remove it and try again.");
        }
        if (!TryTime(from, out var fromTime)) return (null, $"\"{from}\" is not a date and time (expected e.g. 2026-11-26T18:00).");
        if (!TryTime(to, out var toTime)) return (null, $"\"{to}\" is not a date and time (expected e.g. 2026-11-26T18:00).");
        if (fromTime is not null && toTime is not null && toTime <= fromTime) return (null, "The \"to\" time must be after the \"from\" time.");
        return (new AuditFilter { Actor = actor, StreamType = streamType, EventType = eventType, StreamId = id, From = fromTime, To = toTime, Text = text }.Normalized(), null);
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
