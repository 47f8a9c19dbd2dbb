namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// npm's certified OpenID Connect provider (<c>oidc-provider</c>, OidcProvider/provider.mjs) in a node process on
/// http://localhost:&lt;port&gt;: another site than the portal on 127.0.0.1. Its packages are installed with
/// <c>npm ci</c> from the committed lock file the first time (a fresh machine needs only node and npm).
/// </summary>
public sealed partial class OidcProviderServer : IAsyncDisposable
{
    private readonly Process _process;

    private OidcProviderServer(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public string Issuer { get; }

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "OidcProvider");

    /// <summary>Starts the provider with one confidential client and the given accounts (subject → display name).</summary>
    public static async Task<OidcProviderServer> StartAsync(string clientId, string clientSecret, IEnumerable<string> redirectUris, IDictionary<string, string> accounts)
    {
        await InstallAsync();
        var start = new ProcessStartInfo("node", "provider.mjs")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OIDC_CLIENT_ID"] = clientId;
        start.Environment["OIDC_CLIENT_SECRET"] = clientSecret;
        start.Environment["OIDC_REDIRECT_URIS"] = string.Join(',', redirectUris);
        start.Environment["OIDC_ACCOUNTS"] = JsonSerializer.Serialize(accounts.ToDictionary(a => a.Key, a => new { name = a.Value }));
        start.Environment["NODE_ENV"] = "development";
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("oidc-provider: " + e.Data); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (Listening().Match(line) is { Success: true } m)
            {
                _ = DrainAsync(process);
                return new OidcProviderServer(process, m.Groups[1].Value);
            }
        }
        throw new InvalidOperationException($"The OpenID Connect provider exited ({process.ExitCode}) before it served");
    }

    /// <summary>Disables an account at the provider, as an organisation's admin would: no sign-in, no session for it.</summary>
    public async Task DisableAsync(string subject)
    {
        using var http = new HttpClient();
        (await http.PostAsync($"{Issuer}/test/accounts/{Uri.EscapeDataString(subject)}/disable", null)).EnsureSuccessStatusCode();
    }

    private static async Task DrainAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is not null) { }
    }

    /// <summary>npm ci once per output folder; test classes in parallel wait for the same install (a lock file).</summary>
    private static async Task InstallAsync()
    {
        if (Directory.Exists(Path.Combine(Folder, "node_modules", "oidc-provider"))) return;
        await using var held = await LockAsync(Path.Combine(Folder, ".install.lock"));
        if (Directory.Exists(Path.Combine(Folder, "node_modules", "oidc-provider"))) return;
        var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("npm did not start: install node and npm (apt-get install -y nodejs npm)");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci failed in {Folder}: {await output}{await errors}");
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another test class is installing: its lock is released when npm ci ends.
                await Task.Delay(200, timeout.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex("^listening on (http://\\S+)$")]
    private static partial Regex Listening();
}
