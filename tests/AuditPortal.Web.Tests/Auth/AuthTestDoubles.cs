using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>The host environment the sign-in code asks whether demo accounts may exist.</summary>
internal sealed class TestHostEnvironment(string name = "Production") : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;
    public string ApplicationName { get; set; } = "AuditPortal.Web";
    public string ContentRootPath { get; set; } = "/";
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

/// <summary>A clock the test moves by hand (lockouts, session ends).</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Options that never change (the portal reads Auth through IOptionsMonitor so that a configuration reload applies).</summary>
internal sealed class FixedOptions<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
{
    public T CurrentValue => value;
    public T Get(string? name) => value;
    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

internal static class FixedOptions
{
    public static FixedOptions<T> Of<T>(Microsoft.Extensions.Options.IOptions<T> options) where T : class => new(options.Value);
}
