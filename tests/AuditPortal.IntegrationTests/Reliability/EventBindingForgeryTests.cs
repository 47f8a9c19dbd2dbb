namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>
/// Someone holding the portal's runtime database credential (not its event key) tries to add history with plain SQL:
/// every forgery is refused by the database, and afterwards the balances and permissions are what the genuine events say.
/// </summary>
public sealed class EventBindingForgeryTests(ITestOutputHelper output) : RoleSplitHostTests
{
    private const string Columns = "seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, headers, user_name, correlation_id, causation_id";

    private int _tried;
    private int _accepted;

    /// <summary>
    /// Runs <paramref name="sql"/> as the runtime role and expects the database to refuse it with
    /// <paramref name="sqlState"/> and a message containing <paramref name="because"/>.
    /// </summary>
    private async Task ForgeAsync(string what, string sql, string because, string sqlState = EventBinding.RefusedSqlState, params (string Name, object Value)[] parameters)
    {
        _tried++;
        await using var conn = new NpgsqlConnection(Database.Runtime);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        try
        {
            await cmd.ExecuteNonQueryAsync();
            _accepted++;
            Assert.Fail($"{what}: accepted by the database");
        }
        catch (PostgresException e)
        {
            output.WriteLine($"{what}: refused ({e.SqlState}) {e.MessageText}");
            Assert.Equal(sqlState, e.SqlState);
            Assert.Contains(because, e.MessageText, StringComparison.Ordinal);
        }
    }

    /// <summary>A copy of the genuine event <paramref name="id"/> with some columns replaced (SQL expressions over its row <c>g</c>).</summary>
    private static string Copy(Guid id, string? seq = null, string? eventId = null, string? streamId = null, string? version = null,
        string? data = null, string? timestamp = null, string? userName = null, string? headers = null) =>
        $"""
        insert into auditportal.mt_events ({Columns})
        select {seq ?? "nextval('auditportal.mt_events_sequence')"}, {eventId ?? "g.id"}, {streamId ?? "g.stream_id"},
               {version ?? "(select max(version) + 1 from auditportal.mt_events where stream_id = g.stream_id)"},
               {data ?? "g.data"}, g.type, {timestamp ?? "g.timestamp"}, g.tenant_id, g.mt_dotnet_type, false, {headers ?? "g.headers"},
               {userName ?? "g.user_name"}, g.correlation_id, g.causation_id
        from auditportal.mt_events g where g.id = '{id}'
        """;

    [Fact]
    public async Task Given_the_runtime_role_without_the_event_key_When_it_inserts_forged_copied_and_malformed_events_Then_the_database_refuses_each_and_nothing_changes()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var wallets = Host.Services.GetRequiredService<WalletService>();
        var acl = Host.Services.GetRequiredService<AccessControlService>();
        var admin = ReliabilityHost.Actor(ReliabilityHost.Admin);
        await ReliabilityHost.GrantPersonaAsync(Host, "alice", Personas.Support);
        var alice = ReliabilityHost.Actor("alice");

        // Genuine history: two wallets (111 credits on the first), a grant to bob revoked since, a sign-out of alice.
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7();
        Assert.True((await wallets.OpenAsync(alice, Guid.CreateVersion7(), first, "dana")).Succeeded);
        Assert.True((await wallets.OpenAsync(alice, Guid.CreateVersion7(), second, "erin")).Succeeded);
        Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), first, 111, "welcome", 1)).Succeeded);
        Assert.True((await acl.GrantAsync(admin, Guid.CreateVersion7(), Resources.PortalAclId, "bob", Permission.GrantCredits, "cover", null)).Succeeded);
        Assert.True((await acl.RevokeAsync(admin, Guid.CreateVersion7(), Resources.PortalAclId, "bob", Permission.GrantCredits, "cover ended", null)).Succeeded);
        await Host.Services.GetRequiredService<SignOutLog>().RecordAsync("alice", Guid.CreateVersion7().ToString());

        IReadOnlyList<JasperFx.Events.IEvent> aclEvents, firstEvents;
        await using (var query = store.QuerySession())
        {
            aclEvents = await query.Events.FetchStreamAsync(Resources.PortalAclId);
            firstEvents = await query.Events.FetchStreamAsync(first);
        }
        var created = aclEvents.First(e => e.Data is AccessControlListCreated);
        var bobsGrant = aclEvents.Last(e => e.Data is PermissionGranted { Principal: "bob" });
        var granted = firstEvents.Single(e => e.Data is CreditsGranted);
        Guid signOut;
        await using (var query = store.QuerySession())
            signOut = (await query.Events.FetchStreamAsync(AccessLog.StreamIdFor("alice"))).Last(e => e.Data is UserSignedOut).Id;
        var permissionsBefore = await PermissionsAsync(store);

        // 1. A grant of a million credits "by alice", written from scratch.
        await ForgeAsync("credits_granted by alice", $$"""
            insert into auditportal.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, headers, user_name)
            values (nextval('auditportal.mt_events_sequence'), '{{Guid.CreateVersion7()}}', '{{first}}', 3,
                    '{"walletId": "{{first}}", "amount": 1000000, "grantedBy": "alice", "grantedAt": "2026-12-01T10:00:00Z", "reason": "bonus", "type": "manual"}',
                    'credits_granted', now(), '*DEFAULT*', '{{granted.DotNetTypeName}}', false, '{}', 'alice')
            """, "not bound to the portal");
        // 2. The same with a binding taken from a genuine grant.
        await ForgeAsync("credits_granted by alice carrying a genuine binding",
            Copy(granted.Id, eventId: $"'{Guid.CreateVersion7()}'", data: "jsonb_set(g.data, '{amount}', '1000000')"), "not bound to the portal");
        // 3. A genuine grant back-dated to last Tuesday (a new id, its own version: no longer its binding).
        await ForgeAsync("back-dated grant", Copy(granted.Id, eventId: $"'{Guid.CreateVersion7()}'", timestamp: "now() - interval '6 days'"), "not bound to the portal");
        // 4. An exact copy of bob's revoked grant (same id, version and binding): the unique index on event ids refuses it.
        await ForgeAsync("exact copy of a revoked PermissionGranted", Copy(bobsGrant.Id, version: "g.version"), "duplicate key", "23505");
        // 5. The same grant as a new event at the tail of the list.
        await ForgeAsync("new-id copy of a revoked PermissionGranted", Copy(bobsGrant.Id, eventId: $"'{Guid.CreateVersion7()}'"), "not bound to the portal");
        // 6. The exact copy with its old id, at the tail.
        await ForgeAsync("same-id copy of a revoked PermissionGranted at the tail", Copy(bobsGrant.Id), "not bound to the portal");
        // 7. A copied AccessControlListCreated (would empty the list).
        await ForgeAsync("copied AccessControlListCreated", Copy(created.Id, eventId: $"'{Guid.CreateVersion7()}'"), "not bound to the portal");
        // 8. A sign-out of the year 9999, and 9. a malformed one.
        await ForgeAsync("user_signed_out of 9999", Copy(signOut, eventId: $"'{Guid.CreateVersion7()}'",
            data: "jsonb_set(g.data, '{signedOutAt}', '\"9999-12-31T23:59:59Z\"')", timestamp: "'9999-12-31T23:59:59Z'"), "not bound to the portal");
        await ForgeAsync("malformed user_signed_out", Copy(signOut, eventId: $"'{Guid.CreateVersion7()}'", data: "'{\"signedOutAt\": \"never\", \"userName\": {\"x\": \"\\u001b[31m\"}}'"),
            "not bound to the portal");
        // 10. An event with a sequence number of the caller's choosing (far ahead, and one below the last).
        await ForgeAsync("caller-chosen sequence ahead", Copy(granted.Id, seq: "(select max(seq_id) + 1000 from auditportal.mt_events)", eventId: $"'{Guid.CreateVersion7()}'"),
            "is not the one the database drew");
        await ForgeAsync("caller-chosen sequence, never drawn in this session", Copy(granted.Id, seq: "1", eventId: $"'{Guid.CreateVersion7()}'"),
            "is not the one the database drew");
        // 11. A genuine grant copied into another wallet, and 12. at another version of its own wallet.
        await ForgeAsync("grant copied into another wallet", Copy(granted.Id, eventId: $"'{Guid.CreateVersion7()}'", streamId: $"'{second}'"), "not bound to the portal");
        await ForgeAsync("grant copied at another version", Copy(granted.Id, eventId: $"'{Guid.CreateVersion7()}'"), "not bound to the portal");
        // 13. The key itself: the runtime role cannot read it.
        await ForgeAsync("read the binding key", $"select key from auditportal.{EventBinding.KeyTable}", "permission denied", "42501");
        // 14. Setting the sequence (so the next genuine events get numbers of the caller's choosing).
        await ForgeAsync("setval on the event sequence", "select setval('auditportal.mt_events_sequence', 1000000)", "permission denied", "42501");

        // Nothing changed: every balance is a replay of the genuine events, every permission as before.
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await using (var query = store.QuerySession())
        {
            foreach (var id in new[] { first, second })
            {
                var replayed = await query.Events.AggregateStreamAsync<Wallet>(id);
                var summary = await query.LoadAsync<WalletSummary>(id);
                Assert.Equal(id == first ? 111 : 0, replayed!.Balance);
                Assert.Equal(replayed.Balance, summary!.Balance);
            }
            Assert.Equal(firstEvents.Count, (await query.Events.FetchStreamAsync(first)).Count);
            Assert.False(await CommandExecutor.IsAllowedAsync(query, ReliabilityHost.Actor("bob"), Permission.GrantCredits, default));
        }
        Assert.Equal(permissionsBefore, await PermissionsAsync(store));

        output.WriteLine($"{_tried} forgeries tried, {_accepted} accepted as genuine");
        Assert.Equal(0, _accepted);
        Assert.Equal(15, _tried);
    }

    [Fact]
    public async Task Given_a_holder_of_the_event_key_When_it_inserts_a_back_dated_bound_event_as_the_runtime_role_Then_the_database_gives_it_the_database_time()
    {
        // A compromised web node can bind events (it holds the key); it still cannot choose their time or sequence.
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var wallets = Host.Services.GetRequiredService<WalletService>();
        await ReliabilityHost.GrantPersonaAsync(Host, "alice", Personas.Support);
        var wallet = Guid.CreateVersion7();
        Assert.True((await wallets.OpenAsync(ReliabilityHost.Actor("alice"), Guid.CreateVersion7(), wallet, "dana")).Succeeded);
        JasperFx.Events.IEvent opened;
        await using (var query = store.QuerySession())
            opened = (await query.Events.FetchStreamAsync(wallet)).Single();

        var binding = new EventBinding(ReliabilityHost.EventKey);
        var id = Guid.CreateVersion7();
        var data = store.Options.Serializer().ToJson(new CreditsGranted(wallet, 5, GrantTypes.Manual, null, "alice", DateTimeOffset.UtcNow, "key holder"));
        var signed = binding.Compute(wallet, 2, id, "credits_granted", opened.DotNetTypeName.Replace("WalletOpened", "CreditsGranted"), JsonbText.Canonicalize(data),
            "alice", null, null, opened.TenantId, null);
        await using var conn = new NpgsqlConnection(Database.Runtime);
        await conn.OpenAsync();
        await using (var insert = new NpgsqlCommand($"""
            insert into auditportal.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, headers, user_name)
            values (nextval('auditportal.mt_events_sequence'), @id, @stream, 2, @data::jsonb, 'credits_granted', '2020-01-01T00:00:00Z', @tenant, @dotnet, false,
                    jsonb_build_object('{EventBinding.Header}', @binding::text), 'alice')
            """, conn))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("stream", wallet);
            insert.Parameters.AddWithValue("data", data);
            insert.Parameters.AddWithValue("tenant", opened.TenantId);
            insert.Parameters.AddWithValue("dotnet", opened.DotNetTypeName.Replace("WalletOpened", "CreditsGranted"));
            insert.Parameters.AddWithValue("binding", signed);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using var read = new NpgsqlCommand("select timestamp > now() - interval '1 minute' from auditportal.mt_events where id = @id", conn);
        read.Parameters.AddWithValue("id", id);
        Assert.True((bool)(await read.ExecuteScalarAsync())!, "the caller's time (2020) was kept");
    }

    private static async Task<List<string>> PermissionsAsync(IDocumentStore store)
    {
        await using var query = store.QuerySession();
        var (list, _) = await AccessControlFromEvents.LoadAsync(query, Resources.PortalAclId);
        return list!.Entries.Select(e => $"{e.Principal}:{e.Permission}").Order().ToList();
    }
}
