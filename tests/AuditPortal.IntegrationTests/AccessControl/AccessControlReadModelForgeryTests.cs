namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>
/// The runtime role can UPDATE the ACL read model (a document) and mt_streams, but authorization rests on the
/// access-control events: a forged "make me admin" row grants nothing and is reported as a tamper.
/// </summary>
public sealed class AccessControlReadModelForgeryTests(ITestOutputHelper output) : RoleSplitHostTests
{
    /// <summary>Marten over the runtime role's connection, with the portal's configuration but not its event key.</summary>
    private DocumentStore UnkeyedRuntimeStore() =>
        DocumentStore.For(o => PortalStore.Configure(o, Database.Runtime, new PortalStoreSettings { AutoCreate = JasperFx.AutoCreate.None }));

    private async Task ExecAsRuntimeAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = await PortalSql.OpenAsync(Database.Runtime);
        Assert.Equal(DatabaseRoles.UserOf(Database.Runtime), (string)(await new NpgsqlCommand("select current_user", conn).ExecuteScalarAsync())!);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        Assert.True(await cmd.ExecuteNonQueryAsync() > 0, sql);
        output.WriteLine($"as {DatabaseRoles.UserOf(Database.Runtime)}: {sql}");
    }

    [Fact]
    public async Task Given_the_runtime_role_When_it_writes_mallory_into_the_ACL_read_model_as_admin_Then_nothing_is_granted_and_the_tamper_is_detected()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var wallets = Host.Services.GetRequiredService<WalletService>();
        var mallory = ReliabilityHost.Actor("mallory");

        // Warm the cache at the current version first: the forgery must not slip in between two folds.
        await using (var session = store.QuerySession())
        {
            Assert.False(await PortalAccess.IsAllowedAsync(session, mallory, Permission.EditAccessControl, default));
            Assert.Null(await AccessControlFromEvents.CompareWithReadModelAsync(session, Resources.PortalAclId));
        }

        // The forgery: the read model document says mallory holds every permission; mt_streams' version is bumped
        // too, so a check that trusted mt_streams would refold and could be confused.
        AccessControlListView view;
        await using (var session = store.QuerySession())
            view = (await session.LoadAsync<AccessControlListView>(Resources.PortalAclId))!;
        foreach (var permission in Personas.Admin)
            view.Entries.Add(new AccessControlViewEntry { Principal = "mallory", Permission = permission, GrantedBy = PortalHostFixtureAdmin, GrantedAt = DateTimeOffset.UtcNow, Reason = "forged" });
        var json = store.Options.Serializer().ToJson(view);
        await ExecAsRuntimeAsync("update auditportal.mt_doc_accesscontrollistview set data = @json::jsonb where id = @id",
            ("json", json), ("id", Resources.PortalAclId));
        await ExecAsRuntimeAsync("update auditportal.mt_streams set version = version + 5 where id = @id", ("id", Resources.PortalAclId));

        await using (var session = store.QuerySession())
        {
            var forged = await session.LoadAsync<AccessControlListView>(Resources.PortalAclId);
            Assert.True(forged!.Has("mallory", Permission.EditAccessControl));
            foreach (var permission in Personas.Admin)
                Assert.False(await PortalAccess.IsAllowedAsync(session, mallory, permission, default), $"{permission} granted by a forged document");
        }

        // Every door refuses mallory: a command, and a read service.
        var opened = await wallets.OpenAsync(mallory, Guid.CreateVersion7(), Guid.CreateVersion7(), "mallory's");
        Assert.Equal(CommandStatus.Forbidden, opened.Status);
        var grant = await Host.Services.GetRequiredService<AccessControlService>().GrantAsync(
            mallory, Guid.CreateVersion7(), Resources.PortalAclId, "mallory", Permission.ReadAudit, "self-service", null);
        Assert.Equal(CommandStatus.Forbidden, grant.Status);
        await Assert.ThrowsAsync<AccessDeniedException>(() => new WalletQueries(store, new PreviousReadModels(store), new FixedActor(mallory)).ListAsync(new WalletListQuery()));

        // Detected: the comparison names the forged entries (the health check and the ACL page show the same).
        await using (var session = store.QuerySession())
        {
            var logger = new ListLogger();
            var problem = await CommandExecutor.ReportTamperingAsync(session, logger, default);
            Assert.NotNull(problem);
            Assert.Contains("mallory EditAccessControl", problem);
            Assert.Contains(logger.Errors, e => e.Contains("tampered", StringComparison.Ordinal));
            output.WriteLine($"detected: {problem}");
        }

        // The real admin's next change is still decided by the events, and the legitimate state wins.
        var admin = ReliabilityHost.Actor(ReliabilityHost.Admin);
        var real = await Host.Services.GetRequiredService<AccessControlService>().GrantAsync(
            admin, Guid.CreateVersion7(), Resources.PortalAclId, "bob", Permission.ReadWallets, "real grant", null);
        Assert.True(real.Succeeded, real.Message);
        await using (var session = store.QuerySession())
        {
            Assert.True(await PortalAccess.IsAllowedAsync(session, ReliabilityHost.Actor("bob"), Permission.ReadWallets, default));
            Assert.False(await PortalAccess.IsAllowedAsync(session, mallory, Permission.EditAccessControl, default));
        }
    }

    [Fact]
    public async Task Given_the_runtime_role_and_the_portals_code_without_its_key_When_it_appends_grants_for_mallory_Then_the_database_refuses_them()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var mallory = ReliabilityHost.Actor("mallory");

        // The attacker has the runtime role and the portal's configuration, not its event key: a grant without a
        // binding, one with a binding made up, one carrying the binding of a genuine grant.
        await using (var forger = UnkeyedRuntimeStore())
        {
            await using var reader = forger.QuerySession();
            var genuine = (await reader.Events.FetchStreamAsync(Resources.PortalAclId)).First(e => e.Data is PermissionGranted);
            foreach (var binding in new string?[] { null, Convert.ToBase64String(new byte[32]), genuine.Headers![EventBinding.Header]!.ToString() })
            {
                await using var session = forger.LightweightSession();
                session.LastModifiedBy = ReliabilityHost.Admin;
                var forged = session.Events.Append(Resources.PortalAclId,
                    new PermissionGranted(Resources.PortalAclId, "mallory", Permission.EditAccessControl, ReliabilityHost.Admin, DateTimeOffset.UtcNow, "forged"));
                if (binding is not null) foreach (var e in forged.Events) e.SetHeader(EventBinding.Header, binding);
                var refused = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
                Assert.Contains("not bound to the portal", refused.ToString());
            }
        }

        await using (var session = store.QuerySession())
        {
            var events = await session.Events.FetchStreamAsync(Resources.PortalAclId);
            Assert.DoesNotContain(events, e => e.Data is PermissionGranted { Principal: "mallory" });
            foreach (var permission in Personas.Admin)
                Assert.False(await PortalAccess.IsAllowedAsync(session, mallory, permission, default), $"{permission} granted by a forged event");
            Assert.Null(await CommandExecutor.ReportTamperingAsync(session, new ListLogger(), default));
        }
    }

    private const string PortalHostFixtureAdmin = ReliabilityHost.Admin;

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Errors { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= Microsoft.Extensions.Logging.LogLevel.Error) Errors.Add(formatter(state, exception));
        }
    }
}
