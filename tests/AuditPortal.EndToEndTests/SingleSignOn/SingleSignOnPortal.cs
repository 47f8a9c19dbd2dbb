using System.Net.Sockets;

namespace AuditPortal.EndToEndTests.SingleSignOn;

/// <summary>
/// The portal on http://127.0.0.1:&lt;port&gt; behind the test OpenID Connect provider on http://localhost:&lt;port&gt;
/// (two sites), configured as README's "Single sign-on" says for Development, with a clock the test can move past
/// the single sign-on session's bound.
/// </summary>
public sealed class SingleSignOnPortal : PortalServer, IAsyncLifetime
{
    public const string ClientId = "auditportal";
    public const string SessionMinutes = "15";

    /// <summary>The provider's accounts: subject → display name.</summary>
    public static readonly Dictionary<string, string> Accounts = new()
    {
        ["ada"] = "Ada Lovelace",
        ["grace"] = "Grace Hopper",
        ["linus"] = "Linus Torvalds",
        ["ken"] = "Ken Thompson",
    };

    private readonly string _secret = Guid.NewGuid().ToString("N");

    public OidcProviderServer Provider { get; private set; } = null!;

    public ShiftedClock Clock { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Auth:OpenIdConnect:Authority"] = Provider.Issuer,
        ["Auth:OpenIdConnect:ClientId"] = ClientId,
        ["Auth:OpenIdConnect:ClientSecret"] = _secret,
        ["Auth:OpenIdConnect:DisplayName"] = "Example IdP",
        ["Auth:OpenIdConnect:NameClaim"] = "name",
        ["Auth:OpenIdConnect:RequireHttpsMetadata"] = "false",
        ["Auth:OpenIdConnect:SessionMinutes"] = SessionMinutes,
        ["Auth:RevalidationSeconds"] = "1",
    };

    async Task IAsyncLifetime.InitializeAsync()
    {
        // The provider must know the portal's redirect URI before the portal starts: take a free port first.
        Port = FreePort();
        Provider = await OidcProviderServer.StartAsync(ClientId, _secret, [$"http://127.0.0.1:{Port}/signin-oidc"], Accounts);
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
    }

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    /// <summary>The portal user of a provider subject, as the no-access page shows it.</summary>
    public string UserOf(string subject) => AccountNames.ForSubject(Provider.Issuer, subject);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The real clock plus an offset the test moves forward (the provider, tokens and browser keep real time).</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
