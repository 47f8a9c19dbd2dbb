using AuditPortal.Web.Infrastructure.Logging;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Context;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;

namespace AuditPortal.Web.Tests.Logging;

/// <summary>Values with line breaks that reach the logs are written on the line of their own event, never as a forged line.</summary>
public class SafeLogValuesTests
{
    private const string Forged = "eve\r\n[12:00:00 INF] AuditPortal.Web.Infrastructure.Auth.LocalAccounts: Signed in admin";

    [Fact]
    public void Given_a_user_name_with_CR_LF_When_a_failed_sign_in_is_logged_through_the_configured_template_Then_it_is_one_line()
    {
        var (factory, lines) = ConfiguredLogger(safe: true);

        factory.CreateLogger("AuditPortal.Web.Infrastructure.Auth.LocalAccounts")
            .LogInformation("Failed sign-in for {User} ({Count} of {Max})", Forged, 1, 5);

        var line = Assert.Single(lines());
        Assert.Contains(@"Failed sign-in for eve\r\n[12:00:00 INF] AuditPortal.Web.Infrastructure.Auth.LocalAccounts: Signed in admin (1 of 5)", line);
    }

    [Fact]
    public void Given_no_escaping_When_the_same_event_is_logged_Then_the_template_alone_would_write_a_forged_line()
    {
        // The control case: without the enricher the configured template writes the value raw, so the test above can fail.
        var (factory, lines) = ConfiguredLogger(safe: false);

        factory.CreateLogger("AuditPortal.Web.Infrastructure.Auth.LocalAccounts")
            .LogInformation("Failed sign-in for {User} ({Count} of {Max})", Forged, 1, 5);

        Assert.Equal(2, lines().Count);
    }

    [Fact]
    public void Given_control_characters_in_context_properties_destructured_objects_and_sequences_When_logged_Then_every_one_is_escaped()
    {
        var (factory, lines) = ConfiguredLogger(safe: true, template: "{Message:lj} {Properties:j}{NewLine}");
        var logger = factory.CreateLogger("test");

        using (LogContext.PushProperty("RequestPath", "/wallets/x\r\nforged"))
        using (logger.BeginScope(new Dictionary<string, object> { ["Reason"] = "a\nb" }))
        {
            logger.LogWarning("Command {@Command} for {Names} at {Where} with {Nul}", new { Reason = "line\nbreak", Amount = 5 },
                new[] { "ok", "two\r\nlines" }, new Uri("http://x/a%0Ab"), "nul\0bell\u0007rtl\u202Eend\u2028sep");
        }

        // One line; strings inside structures and {Properties:j} are JSON-quoted, which doubles the escape's backslash.
        var line = Assert.Single(lines());
        Assert.Matches(@"/wallets/x\\+r\\+nforged", line);
        Assert.Matches(@"line\\+nbreak", line);
        Assert.Matches(@"two\\+r\\+nlines", line);
        Assert.Matches(@"a\\+nb", line);
        Assert.Matches(@"nul\\+u0000bell\\+u0007rtl\\+u202Eend\\+u2028sep", line);
        Assert.Matches(@"a%0Ab", line);
        Assert.DoesNotContain('\0', line);
    }

    [Fact]
    public void Given_plain_values_When_enriched_Then_the_event_keeps_the_same_property_instances()
    {
        var value = new ScalarValue("plain text");
        Assert.Same(value, SafeLogValues.Escape(value));
        var number = new ScalarValue(42);
        Assert.Same(number, SafeLogValues.Escape(number));
    }

    /// <summary>
    /// A logger built from the portal's own appsettings.json (levels, enrichers, the console outputTemplate) with
    /// the console replaced by a writer the test reads, and with the enricher registered as Program.cs does.
    /// </summary>
    private static (ILoggerFactory Factory, Func<List<string>> Lines) ConfiguredLogger(bool safe, string? template = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(AppSettingsPath()).Build();
        var outputTemplate = template ?? configuration["Serilog:WriteTo:0:Args:outputTemplate"]
            ?? throw new InvalidOperationException("appsettings.json has no console outputTemplate");
        var writer = new StringWriter();
        var config = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext()
            .WriteTo.Sink(new TextSink(new MessageTemplateTextFormatter(outputTemplate), writer));
        if (safe) config = config.Enrich.With<SafeLogValues>();
        var serilog = config.CreateLogger();
        var factory = new SerilogLoggerFactory(serilog, dispose: true);
        return (factory, () =>
        {
            var text = writer.ToString();
            return text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None).Where(l => l.Length > 0).ToList();
        });
    }

    private static string AppSettingsPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "AuditPortal.Web", "appsettings.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("src/AuditPortal.Web/appsettings.json not found above " + AppContext.BaseDirectory);
    }

    private sealed class TextSink(MessageTemplateTextFormatter formatter, TextWriter writer) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => formatter.Format(logEvent, writer);
    }
}
