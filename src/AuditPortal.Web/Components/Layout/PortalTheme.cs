using MudBlazor;

namespace AuditPortal.Web.Components.Layout;

public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1f5f8b", Secondary = "#4a8c6f", AppbarBackground = "#1f5f8b" },
        PaletteDark = new PaletteDark { Primary = "#6fb3e0", Secondary = "#7cc4a2" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
        },
    };
}
