using MudBlazor;

namespace AuditPortal.Web.Components.Layout;

/// <summary>
/// The portal's two palettes. Every colour that carries text meets WCAG 2.1 AA on the surfaces it is drawn on:
/// at least 4.5:1 for text (3:1 for large text and UI parts), checked by the browser suite's axe run in both modes
/// (tests/AuditPortal.EndToEndTests/Accessibility). MudBlazor's defaults do not (e.g. green #00c853 behind white
/// chip text is 2.2:1, dark mode's secondary text 4.3:1, text on its striped table rows below 3:1).
/// </summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        // Light: dark, saturated colours behind white text, and as text on white and on the light tints of alerts.
        PaletteLight = WithText(new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2d6a4f",
            Tertiary = "#5b4a9e",
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#9a4f00",
            Error = "#c62828",
            AppbarBackground = "#1f5f8b",
        }, primary: "rgba(0,0,0,0.87)", secondary: "#5f6368"),
        // Dark: light tints as text on the dark surfaces, with near-black text where they fill a chip or button.
        PaletteDark = WithText(new PaletteDark
        {
            Primary = "#90caf9",
            PrimaryContrastText = "rgba(0,0,0,0.87)",
            Secondary = "#7cc4a2",
            SecondaryContrastText = "rgba(0,0,0,0.87)",
            Tertiary = "#b39ddb",
            TertiaryContrastText = "rgba(0,0,0,0.87)",
            Info = "#64b5f6",
            InfoContrastText = "rgba(0,0,0,0.87)",
            Success = "#66bb6a",
            SuccessContrastText = "rgba(0,0,0,0.87)",
            Warning = "#ffb74d",
            WarningContrastText = "rgba(0,0,0,0.87)",
            Error = "#ef9a9a",
            ErrorContrastText = "rgba(0,0,0,0.87)",
            // Alerts draw their text in the "darken" shade on a tint of the colour: in the dark palette it must stay light.
            ErrorDarken = "#f4b4b4",
            WarningDarken = "#ffb74d",
            InfoDarken = "#90caf9",
            SuccessDarken = "#81c784",
            AppbarText = "rgba(255,255,255,0.87)",
            TableStriped = "rgba(255,255,255,0.04)",
            TableHover = "rgba(0,0,0,0.12)",
        }, primary: "rgba(255,255,255,0.87)", secondary: "rgba(255,255,255,0.70)"),
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
        },
    };

    /// <summary>Text comes in two shades per palette: body text and drawer labels in the primary one; secondary text, icons and default actions in the other.</summary>
    private static T WithText<T>(T palette, string primary, string secondary) where T : Palette
    {
        palette.TextPrimary = primary;
        palette.DrawerText = primary;
        palette.TextSecondary = secondary;
        palette.ActionDefault = secondary;
        palette.DrawerIcon = secondary;
        return palette;
    }
}
