using Spectre.Console;

namespace AuditPortal.Web.Cli;

/// <summary>Console output of the portal's verbs: readable in a terminal and one line per message when piped.</summary>
public static class CommandLineOutput
{
    /// <summary>Call before <c>RunJasperFxCommands</c>.</summary>
    public static void Prepare()
    {
        // JasperFx prints "Searching '<assembly>' for commands" for every assembly it scans until it has applied its
        // extensions once; none of the portal's need applying, so mark them applied and keep the discovery quiet.
        new JasperFx.CommandLine.CommandFactory().ApplyExtensions(new ServiceCollection());
        // Spectre.Console assumes 80 columns when the output is not a terminal and wraps every longer line:
        // a piped or logged run gets one line per message instead.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 10_000;
    }
}
