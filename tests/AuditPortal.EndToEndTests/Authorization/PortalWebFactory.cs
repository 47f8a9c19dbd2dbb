namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>The portal in memory (TestServer) on a database of its own, in Development so the demo accounts exist.</summary>
public partial class PortalWebFactory : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public IServiceProvider Services => _factory!.Services;

    /// <summary>Extra settings of a derived fixture (small limits that one test can reach).</summary>
    protected virtual IDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var connectionString = await TestCluster.CreateDatabaseAsync(nameof(PortalWebFactory));
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("ConnectionStrings:Marten", connectionString);
            web.UseSetting("Auth:Lockout:MaxFailedAttempts", "3");
            foreach (var (key, value) in Settings) web.UseSetting(key, value);
        });
        _ = _factory.Server;
        await Task.CompletedTask;
    }

    /// <summary>A client with its own cookie jar that does not follow redirects, so each response can be asserted.</summary>
    public HttpClient Client() => _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>The recorded downloads (each export's own stream), read as the system so a test sees them all.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ExportEventsAsync()
    {
        var feed = new AuditFeed(Services.GetRequiredService<IDocumentStore>(), new FixedActor(Actor.System("test")));
        return (await feed.QueryAsync(new AuditFilter { StreamType = AuditTypeNames.AuditLog }, limit: 500)).Entries;
    }

    /// <summary>A request the portal refused for want of a permission: sent to the access-denied page.</summary>
    public static void AssertAccessDenied(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/access-denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    /// <summary><paramref name="user"/> asks for the export at <paramref name="path"/>: refused, and no export of theirs is on record.</summary>
    public async Task AssertExportRefusedAsync(string user, string path)
    {
        var client = await SignedInAsync(user);
        AssertAccessDenied(await client.GetAsync(path));
        Assert.DoesNotContain(await ExportEventsAsync(), e => e.Actor == user);
    }

    /// <summary>A client without a cookie jar: the test sets the Cookie header itself (another tab holding an old cookie).</summary>
    public HttpClient RawClient() => _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>Signs in through the real sign-in form (antiforgery token included) and returns the signed-in client.</summary>
    public async Task<HttpClient> SignedInAsync(string user, string password = "demo")
    {
        var client = Client();
        var response = await PostSignInAsync(client, user, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in of {user} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>
    /// The callers of the authorization matrices, signed in: alice (Support), carol (Auditor), admin, and dave, an admin
    /// whose permissions are revoked after he signed in (his cookie stays valid; only the list changes).
    /// </summary>
    public async Task<(HttpClient Support, HttpClient Auditor, HttpClient Admin, HttpClient Revoked)> PersonaClientsAsync()
    {
        var support = await SignedInAsync("alice");
        var auditor = await SignedInAsync("carol");
        var admin = await SignedInAsync("admin");
        var revoked = await SignedInAsync("dave");
        var acl = Services.GetRequiredService<AccessControlService>();
        foreach (var permission in Personas.Admin)
        {
            var result = await acl.RevokeAsync(Actor.System("test"), Guid.CreateVersion7(), Resources.PortalAclId, "dave", permission, "revoked mid-session", null);
            // A second matrix of the same fixture finds dave revoked already.
            Assert.True(result.Succeeded || result.ErrorCode == ErrorCodes.NotGranted, result.Message);
        }
        return (support, auditor, admin, revoked);
    }

    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string user, string password, string returnUrl = "/")
    {
        var form = await client.GetStringAsync("/account/signin");
        var token = TokenPattern().Match(form).Groups[1].Value;
        return await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "signin",
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
            ["ReturnUrl"] = returnUrl,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }
}
