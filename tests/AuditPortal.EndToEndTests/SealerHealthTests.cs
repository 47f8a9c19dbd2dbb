using AuditPortal.Core.Database;
using System.Net.Http.Json;
using AuditPortal.Core.Integrity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AuditPortal.EndToEndTests;

/// <summary>
/// The portal in memory (no browser) with its own sealer off, so that the test decides when rounds happen: a sealer
/// that stops shows as Degraded on the anonymous /health, for each of the two reasons. Time is moved by a superuser
/// (the event's time, the last round's time), never waited for.
/// </summary>
public sealed class SealerHealthTests : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync(nameof(SealerHealthTests));
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("ConnectionStrings:Marten", _database);
            web.UseSetting("Integrity:SealEvents", "false");
        });
        _ = _factory.Server;
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await TestCluster.DropDatabaseAsync(_database);
    }

    private async Task<(string Overall, HealthReportEntry Seals)> HealthAsync()
    {
        using var client = _factory!.CreateClient();
        var overall = await client.GetFromJsonAsync<Status>("/health");
        var report = await _factory.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "event-seals");
        return (overall!.status, report.Entries["event-seals"]);
    }

    private async Task RoundAsync()
    {
        await using var conn = await PortalSql.OpenAsync(_database);
        await EventSeals.SealAsync(conn, "auditportal");
    }

    private async Task ExecAsync(string sql)
    {
        await using var conn = await PortalSql.OpenAsync(_database);
        await conn.ExecAsync(sql);
    }

    [Fact]
    public async Task Given_a_sealer_that_stops_When_health_is_asked_Then_an_old_unsealed_event_and_a_silent_sealer_each_say_degraded()
    {
        await using (var conn = await PortalSql.OpenAsync(_database))
        {
            await EventSeals.SealCommittedAsync(conn, "auditportal");
        }
        var healthy = await HealthAsync();
        Assert.Equal((HealthStatus.Healthy, "Healthy"), (healthy.Seals.Status, healthy.Overall));

        // Rounds go on, but a transaction left open holds the ceiling: an event committed after it waits, since the
        // first round that saw it (moved back ten minutes).
        await using (var open = await PortalSql.OpenAsync(_database))
        {
            await using var tx = await open.BeginTransactionAsync();
            await using (var xid = new NpgsqlCommand("select pg_current_xact_id()", open, tx)) await xid.ExecuteScalarAsync();
            await ExecAsync("set session_replication_role = replica; insert into auditportal.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) " +
                            "select nextval('auditportal.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1000, data, type, now(), tenant_id, mt_dotnet_type, false " +
                            "from auditportal.mt_events order by seq_id desc limit 1; set session_replication_role = origin");
            await RoundAsync();
            await ExecAsync($"update auditportal.{EventSeals.MarksTableName} set recorded_at = recorded_at - interval '10 minutes'");
            await RoundAsync();
            var waiting = await HealthAsync();
            Assert.Equal((HealthStatus.Degraded, "Degraded"), (waiting.Seals.Status, waiting.Overall));
            Assert.Contains("waited", waiting.Seals.Description);
            await tx.RollbackAsync();
        }

        // Sealed again, then no round for ten minutes.
        await using (var conn = await PortalSql.OpenAsync(_database))
        {
            await EventSeals.SealCommittedAsync(conn, "auditportal");
        }
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync()).Seals.Status);
        await ExecAsync($"update auditportal.{EventSeals.MarksTableName} set recorded_at = recorded_at - interval '10 minutes'");
        var silent = await HealthAsync();
        Assert.Equal((HealthStatus.Degraded, "Degraded"), (silent.Seals.Status, silent.Overall));
        Assert.Contains("last sealing round ran", silent.Seals.Description);
    }

#pragma warning disable IDE1006
    private sealed record Status(string status);
#pragma warning restore IDE1006
}
