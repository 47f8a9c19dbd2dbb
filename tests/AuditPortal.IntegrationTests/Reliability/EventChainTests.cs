using System.Diagnostics;
using AuditPortal.Core.Common;
using AuditPortal.Core.Database;
using AuditPortal.Core.Integrity;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Wallets;
using AuditPortal.Tests.Shared;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit.Abstractions;

namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>A superuser who edits, deletes or reorders events is caught by the seal chain at the first altered sequence number.</summary>
public sealed class EventChainTests(ITestOutputHelper output)
{
    private const string Schema = "auditportal";

    /// <summary>A database with 3 wallets × 4 events (12 events), all sealed; no daemon needed.</summary>
    private static async Task<string> SealedDatabaseAsync()
    {
        var connection = await TestCluster.CreateDatabaseAsync(nameof(EventChainTests));
        await SchemaApply.ApplyAsync(connection, connection, new PortalStoreSettings());
        await using (var store = DocumentStore.For(o => { PortalStore.Configure(o, connection, new PortalStoreSettings()); PortalSchema.IgnoreAuditIndexes(o); }))
        {
            var wallets = new WalletService(new CommandExecutor(store, NullLogger<CommandExecutor>.Instance), WalletLimits.Default, TimeProvider.System);
            var actor = Actor.System("chain-test");
            foreach (var id in new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() })
            {
                Assert.True((await wallets.OpenAsync(actor, Guid.CreateVersion7(), id, "owner")).Succeeded);
                Assert.True((await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 10, "a", null)).Succeeded);
                Assert.True((await wallets.SpendAsync(actor, Guid.CreateVersion7(), id, 4, "b", null)).Succeeded);
                Assert.True((await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 1, "c", null)).Succeeded);
            }
        }
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        // No daemon here: every event is committed, so the newest sequence number is a safe ceiling.
        var max = await ReliabilityHost.ScalarAsync(connection, $"select max(seq_id) from {Schema}.mt_events");
        Assert.Equal(12, await EventSeals.SealAsync(conn, Schema, max));
        var intact = await EventSeals.VerifyAsync(conn, Schema);
        Assert.True(intact.Intact);
        Assert.Equal((12, 0), (intact.VerifiedEvents, intact.UnsealedEvents));
        return connection;
    }

    private async Task<VerificationResult> TamperAndVerifyAsync(string connection, string tampering)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand(tampering, conn)) Assert.True(await cmd.ExecuteNonQueryAsync() > 0);
        var result = await EventSeals.VerifyAsync(conn, Schema);
        output.WriteLine($"{tampering}\n  -> {(result.FirstTampering is { } t ? $"first altered sequence number {t.SequenceNumber}: {t.Problem}" : "intact")}");
        return result;
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_edits_one_Then_verify_names_its_sequence_number()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection,
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id = 6");
        Assert.Equal(6, result.FirstTampering?.SequenceNumber);
        Assert.Equal(5, result.VerifiedEvents);
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_deletes_one_Then_verify_names_its_sequence_number()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection, $"delete from {Schema}.mt_events where seq_id = 9");
        Assert.Equal(9, result.FirstTampering?.SequenceNumber);
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_swaps_two_Then_verify_names_the_first_moved_sequence_number()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection,
            $"update {Schema}.mt_events set seq_id = -3 where seq_id = 3; update {Schema}.mt_events set seq_id = 3 where seq_id = 4; " +
            $"update {Schema}.mt_events set seq_id = 4 where seq_id = -3");
        Assert.Equal(3, result.FirstTampering?.SequenceNumber);
    }

    [Fact]
    public async Task Given_a_new_event_after_sealing_When_verifying_Then_it_is_reported_as_the_unsealed_tail_not_as_tampering()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection,
            $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) " +
            $"select seq_id + 100, gen_random_uuid(), stream_id, version + 100, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived from {Schema}.mt_events where seq_id = 12");
        Assert.True(result.Intact);
        Assert.Equal((12, 1), (result.VerifiedEvents, result.UnsealedEvents));
    }

    /// <summary>
    /// The time to verify a large table. AUDITPORTAL_VERIFY_EVENTS sets the count (default 50,000 to keep the suite
    /// short; the README figure was measured once with 1,000,000). Events are inserted with one INSERT … SELECT.
    /// </summary>
    [Fact]
    public async Task Verifying_a_large_sealed_event_table_reports_its_duration()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("AUDITPORTAL_VERIFY_EVENTS"), out var n) ? n : 50_000;
        var connection = await TestCluster.CreateDatabaseAsync(nameof(EventChainTests));
        await SchemaApply.ApplyAsync(connection, connection, new PortalStoreSettings());
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        var clock = Stopwatch.StartNew();
        await using (var cmd = new NpgsqlCommand(
            $"""
            insert into {Schema}.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived)
              select ('00000000-0000-0000-0000-' || lpad(to_hex(w), 12, '0'))::uuid, 'wallet', {count} / 10000 + 1, now(), now(), '*DEFAULT*', false
              from generate_series(1, 10000) w;
            insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, user_name)
              select i, gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad(to_hex(i % 10000 + 1), 12, '0'))::uuid, i / 10000 + 1,
                     jsonb_build_object('amount', i % 100 + 1, 'reason', 'bulk'), 'credits_granted', now(), '*DEFAULT*', 'bulk', false, 'bulk'
              from generate_series(1, {count}) i;
            select setval('{Schema}.mt_events_sequence', {count});
            """, conn) { CommandTimeout = 0 })
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var inserted = clock.Elapsed;
        clock.Restart();
        Assert.Equal(count, await EventSeals.SealAsync(conn, Schema, count, batchSize: 50_000));
        var sealedIn = clock.Elapsed;

        var result = await EventSeals.VerifyAsync(conn, Schema);
        Assert.True(result.Intact);
        Assert.Equal(count, result.VerifiedEvents);
        output.WriteLine($"{count:N0} events: inserted in {inserted.TotalSeconds:N1} s, sealed in {sealedIn.TotalSeconds:N1} s " +
                         $"({count / sealedIn.TotalSeconds:N0}/s), verified in {result.Elapsed.TotalSeconds:N1} s ({count / result.Elapsed.TotalSeconds:N0}/s)");
    }
}
