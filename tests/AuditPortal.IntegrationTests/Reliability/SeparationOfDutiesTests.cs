namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>
/// The portal's own build started as a process outside Development (Production): it refuses to start with the schema
/// owner's credential, with one role for everything, or without checkpoint keys, saying what to do; with the schema
/// applied by its own step (`apply-schema`) and a runtime role that may only read and append, it starts.
/// </summary>
public sealed class SeparationOfDutiesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ReliabilityHost.RoleSplitDatabase _db = null!;
    // One key for the apply step and every node of a test, as a deployment shares it.
    private readonly string _eventKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"separation-{Guid.NewGuid():N}");
    private string _publicPem = "";

    public async Task InitializeAsync()
    {
        _db = await ReliabilityHost.CreateRoleSplitDatabaseAsync(nameof(SeparationOfDutiesTests));
        Directory.CreateDirectory(_folder);
        var (privatePem, publicPem) = CheckpointKeys.Create();
        await File.WriteAllTextAsync(Path.Combine(_folder, "signing.pem"), privatePem);
        _publicPem = publicPem;
        // Production encrypts the data-protection keys with a certificate: a self-signed one of the test's own.
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=auditportal-tests", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllBytesAsync(Path.Combine(_folder, "dp.pfx"), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test-password"));
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        await TestCluster.DropDatabaseAsync(_db.Superuser);
    }

    /// <summary>What production asks of every node besides the database: a real bootstrap admin, a key folder, checkpoint keys.</summary>
    private Dictionary<string, string> Production(bool keys = true)
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Portal__BootstrapAdmin"] = "grace",
            ["DataProtection__KeyDirectory"] = Path.Combine(_folder, "keys"),
            ["DataProtection__CertificatePath"] = Path.Combine(_folder, "dp.pfx"),
            ["DataProtection__CertificatePassword"] = "test-password",
            ["Integrity__EventKey"] = _eventKey,
            ["Urls"] = "http://127.0.0.1:0",
        };
        if (keys) settings["Integrity__CheckpointSigningKey"] = Path.Combine(_folder, "signing.pem");
        return settings;
    }

    private async Task<(int ExitCode, string Output, string Errors)> RunToEndAsync(string connection, Dictionary<string, string> settings, params string[] args)
    {
        using var process = PortalProcess.Start(connection, settings, args);
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "The portal neither refused nor finished within 120 s.");
        output.WriteLine($"{string.Join(' ', args)} exit {process.ExitCode}\n{await errors}");
        return (process.ExitCode, await log, await errors);
    }

    [Fact]
    public async Task Given_production_When_the_node_holds_the_schema_owners_credential_Then_it_refuses_to_start_and_names_the_separate_apply_step()
    {
        var settings = Production();
        settings["ConnectionStrings__MartenMigrations"] = _db.Migrator;

        var (exit, _, errors) = await RunToEndAsync(_db.Runtime, settings);

        Assert.Equal(1, exit);
        Assert.Contains("ConnectionStrings:MartenMigrations is set", errors);
        Assert.Contains("apply-schema", errors);
    }

    [Fact]
    public async Task Given_production_When_one_role_does_everything_Then_the_node_refuses_to_start()
    {
        await SchemaApply(_db.Migrator);

        var asOwner = await RunToEndAsync(_db.Migrator, Production());
        var asSuperuser = await RunToEndAsync(_db.Superuser, Production());

        Assert.Equal(1, asOwner.ExitCode);
        Assert.Contains("owns the schema auditportal (one role for everything)", asOwner.Errors);
        Assert.Equal(1, asSuperuser.ExitCode);
        Assert.Contains("is a superuser", asSuperuser.Errors);
    }

    [Fact]
    public async Task Given_production_When_no_checkpoint_key_is_set_Then_the_node_refuses_to_start_naming_the_settings()
    {
        var (exit, _, errors) = await RunToEndAsync(_db.Runtime, Production(keys: false));

        Assert.Equal(1, exit);
        Assert.Contains("Integrity:CheckpointSigningKey", errors);
        Assert.Contains("Integrity:CheckpointPublicKey", errors);
    }

    [Fact]
    public async Task Given_production_When_the_schema_was_applied_by_its_own_step_and_the_node_runs_as_the_runtime_role_Then_it_starts()
    {
        // Before apply-schema, the runtime role finds no event table: refused, naming the step.
        var early = await RunToEndAsync(_db.Runtime, Production());
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("has no event table yet", early.Errors);

        await SchemaApply(_db.Migrator);

        // A node that does not apply the schema still checks its key first: another key is refused by name.
        var otherKey = Production();
        otherKey["Integrity__EventKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var refused = await RunToEndAsync(_db.Runtime, otherKey);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Integrity:EventKey of this node", refused.Errors + refused.Output);

        var settings = Production();
        settings["Integrity__SealEvents"] = "true";
        using var node = PortalProcess.Start(_db.Runtime, settings);
        var errors = node.StandardError.ReadToEndAsync();
        string? line;
        var seen = new List<string>();
        while ((line = await node.StandardOutput.ReadLineAsync()) is not null)
        {
            seen.Add(line);
            if (line.Contains("Now listening on:", StringComparison.Ordinal)) break;
        }
        var started = line is not null;
        node.Kill(entireProcessTree: true);
        await node.WaitForExitAsync();
        output.WriteLine(string.Join('\n', seen));
        Assert.True(started, $"The node did not start: {await errors}\n{string.Join('\n', seen)}");
    }

    /// <summary>The apply step as production runs it: the verb, with the owner's credential given only to it.</summary>
    private async Task SchemaApply(string owner)
    {
        var settings = Production();
        settings["ConnectionStrings__MartenMigrations"] = owner;
        var (exit, log, _) = await RunToEndAsync(_db.Runtime, settings, "apply-schema");
        Assert.Equal(0, exit);
        Assert.Contains("applied as", log);
    }
}
