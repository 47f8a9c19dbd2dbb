using Microsoft.AspNetCore.Components.Rendering;

namespace AuditPortal.Web.Tests.Charts;

/// <summary>Renders its content inside MudBlazor's theme provider in dark mode, as the portal's layout does after the toggle.</summary>
public sealed class DarkHost : ComponentBase
{
    [Parameter] public RenderFragment? ChildContent { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudThemeProvider>(0);
        builder.AddComponentParameter(1, nameof(MudThemeProvider.IsDarkMode), true);
        builder.CloseComponent();
        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "data-theme", "dark");
        builder.AddContent(4, ChildContent);
        builder.CloseElement();
    }
}
