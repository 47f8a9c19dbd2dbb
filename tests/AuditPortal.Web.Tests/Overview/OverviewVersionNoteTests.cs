using AuditPortal.Web.Components.Pages.Overview;

namespace AuditPortal.Web.Tests.Overview;

/// <summary>Nothing unfinished without a label: a group's figures from the previous version or a version being built say so.</summary>
public class OverviewVersionNoteTests : PortalTestContext
{
    private IRenderedComponent<OverviewVersionNote> Note(ReadModelSource source) =>
        Render<OverviewVersionNote>(p => p.Add(x => x.Name, "support").Add(x => x.Source, source));

    [Fact]
    public void Given_figures_from_the_previous_version_When_the_group_renders_Then_it_says_they_are_the_previous_version_as_of_the_upgrade()
    {
        var note = Note(ReadModelSource.Previous).Find("#overview-support-version");

        Assert.Equal("previous", note.GetAttribute("data-source"));
        Assert.Contains("previous version, as it was when the upgrade began", note.TextContent);
    }

    [Fact]
    public void Given_figures_from_a_version_being_built_When_the_group_renders_Then_it_says_they_are_not_complete()
    {
        var note = Note(ReadModelSource.Building).Find("#overview-support-version");

        Assert.Equal("building", note.GetAttribute("data-source"));
        Assert.Contains("being built: these figures are not complete yet", note.TextContent);
    }

    [Fact]
    public void Given_figures_from_the_current_version_When_the_group_renders_Then_no_note_shows()
    {
        Assert.Empty(Note(ReadModelSource.Current).FindAll("#overview-support-version"));
    }
}
