namespace AuditPortal.IntegrationTests.Wallets;

/// <summary>The blog's SQL, typed into psql as the portal's runtime role, finds the balances without naming the schema.</summary>
public sealed class AccountProjectionPsqlTests(ITestOutputHelper output) : RoleSplitHostTests
{

    // As on an external database where nobody may change the database's defaults: only the apply step's own
    // per-role setting may put the schema on the search path.
    protected override Task BeforeStartAsync() =>
        ReliabilityHost.ScalarAsync(Database.Superuser, $"alter database \"{new NpgsqlConnectionStringBuilder(Database.Superuser).Database}\" reset search_path; select 0");

    [Fact]
    public async Task Given_balances_When_the_blog_query_is_typed_into_psql_as_the_runtime_role_Then_it_returns_them()
    {
        await ReliabilityHost.GrantPersonaAsync(Host, "alice", Personas.Support);
        var wallets = Host.Services.GetRequiredService<WalletService>();
        var alice = ReliabilityHost.Actor("alice");
        var ids = await ReliabilityHost.OpenWalletsAsync(wallets, alice, 3);
        Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), ids[0], 7, "welcome", null)).Succeeded);
        Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), ids[1], 2, "welcome", null)).Succeeded);
        await Host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        const string blogQuery = "select aggregate_id, credits from account_projection where credits > 0 order by credits desc";
        var (exit, stdout, stderr) = await PsqlAsync(Database.Runtime, blogQuery);
        output.WriteLine($"psql -U {DatabaseRoles.UserOf(Database.Runtime)} -c \"{blogQuery}\" -> exit {exit}\n{stdout}{stderr}");

        Assert.Equal(0, exit);
        Assert.Equal([$"{ids[0]}|7", $"{ids[1]}|2"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> PsqlAsync(string connectionString, string sql)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var psql = EmbeddedPostgres.FindBinDirectory(null) is { } bin && File.Exists(Path.Combine(bin, "psql")) ? Path.Combine(bin, "psql") : "psql";
        var psi = new ProcessStartInfo(psql)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-h", cs.Host!, "-p", cs.Port.ToString(), "-U", cs.Username!, "-d", cs.Database!, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
