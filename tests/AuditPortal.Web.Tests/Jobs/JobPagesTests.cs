namespace AuditPortal.Web.Tests.Jobs;

public class JobListTests : PageTestContext
{
    [Fact]
    public void Given_jobs_When_the_list_opens_Then_title_status_owner_and_credits_spent_are_shown_with_links()
    {
        var logo = JobReads.Add("Logo design", "carol", JobStatus.Launched, budget: 40, spent: 40);
        RenderProviders();

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".job-link")));
        Assert.Equal($"/jobs/{logo.Id}", cut.Find(".job-link").GetAttribute("href"));
        var row = cut.Find("#job-grid tbody tr").TextContent;
        Assert.Contains("Launched", row);
        Assert.Contains("carol", row);
        Assert.Contains("40", row);
    }

    [Fact]
    public void Given_a_text_filter_When_typed_Then_the_server_is_asked_for_matching_jobs_only()
    {
        JobReads.Add("Logo design", "carol");
        JobReads.Add("Website", "dave");
        RenderProviders();
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".job-link").Count));

        cut.Find("#job-text-filter").Input("dave");

        cut.WaitForAssertion(() => Assert.Equal("dave", JobReads.ListQueries.Last().TextContains), TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal(["Website"], cut.FindAll(".job-link").Select(a => a.TextContent)));
    }

    [Fact]
    public void Given_a_column_header_When_clicked_Then_the_server_is_asked_to_sort_by_it()
    {
        JobReads.Add("Logo design", "carol");
        RenderProviders();
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".job-link")));

        SortBy(cut, "Credits spent");

        cut.WaitForAssertion(() => Assert.Equal("CreditsSpent", JobReads.ListQueries.Last().SortBy));
    }

    [Fact]
    public void Given_an_open_list_When_a_job_changes_Then_the_list_reloads_and_shows_hostile_titles_as_text()
    {
        RenderProviders();
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#job-grid-empty")));

        JobReads.Add("<script>alert(1)</script>", "mallory");
        _ = Changes.PublishAsync(new ReadModelChange(3, new HashSet<Guid>(), new HashSet<Guid> { Guid.NewGuid() }));

        cut.WaitForAssertion(() => Assert.Equal("<script>alert(1)</script>", cut.Find(".job-link").TextContent));
        Assert.Empty(cut.FindAll("#job-grid script"));
    }

    [Fact]
    public void Given_a_job_read_model_being_rebuilt_When_the_list_opens_Then_the_banner_says_so()
    {
        Assert.Contains("being rebuilt", BannerWhenBehind<JobList>(new ReadModelLag(HighWaterMark: 250_000, SlowestSequence: 0)));
    }
}

public class JobDetailTests : PageTestContext
{
    /// <summary>The seeded job's page, rendered with the providers its tabs and menus need.</summary>
    private (JobOwnerView Job, IRenderedComponent<JobDetail> Page) RenderSeededJob()
    {
        var job = SeedJob();
        RenderProviders();
        return (job, Render<JobDetail>(p => p.Add(x => x.Id, job.Id.ToString())));
    }

    private static void ChooseTab(IRenderedComponent<JobDetail> cut, string label) =>
        cut.FindAll(".mud-tab").First(t => t.TextContent.Contains(label)).Click();

    private JobOwnerView SeedJob()
    {
        var job = JobReads.Add("Logo design", "carol", JobStatus.Launched, budget: 40, spent: 40);
        job.CreditsRefunded = 0;
        job.Description = "A new logo";
        job.Applicants.Add(new JobApplicant { Name = "sam", Status = ApplicationStatus.Accepted, CoverNote = "I draw", Since = DateTimeOffset.UtcNow });
        job.Applicants.Add(new JobApplicant { Name = "alice", Status = ApplicationStatus.Invited, Since = DateTimeOffset.UtcNow });
        JobReads.Participants.Add(new JobParticipantView
        {
            Id = JobParticipantView.Key(job.Id, "sam"), JobId = job.Id, Participant = "sam", Title = "Logo design (as sam saw it)",
            Status = JobStatus.Launched, ApplicationStatus = ApplicationStatus.Accepted, CoverNote = "I draw",
        });
        JobReads.Participants.Add(new JobParticipantView
        {
            Id = JobParticipantView.Key(job.Id, "alice"), JobId = job.Id, Participant = "alice", Title = "Logo design (as alice saw it)",
            Status = JobStatus.Launched, ApplicationStatus = ApplicationStatus.Invited,
        });
        JobReads.Timeline.Add(new JobTimelineEntry(1, 7, "job_posted", DateTimeOffset.UtcNow, "carol", "carol posted \"Logo design\""));
        JobReads.Timeline.Add(new JobTimelineEntry(2, 9, "participant_invited", DateTimeOffset.UtcNow, "carol", "<script>alert(1)</script>"));
        return job;
    }

    [Fact]
    public void Given_a_job_When_opened_Then_the_owner_tab_shows_budget_credits_and_every_applicant()
    {
        var (job, cut) = RenderSeededJob();

        Assert.Contains("Logo design", cut.Find("h1").TextContent);
        Assert.Equal("40", cut.Find("#job-budget").TextContent.Trim());
        Assert.Equal("40", cut.Find("#job-credits-spent").TextContent.Trim());
        Assert.Equal("0", cut.Find("#job-credits-refunded").TextContent.Trim());
        Assert.Equal(["sam", "alice"], cut.FindAll(".job-applicant td:first-child").Select(td => td.TextContent));
    }

    [Fact]
    public void Given_a_job_When_the_participant_tab_is_chosen_Then_only_that_participants_view_is_shown()
    {
        var (job, cut) = RenderSeededJob();

        ChooseTab(cut, "As participant");

        cut.WaitForAssertion(() => Assert.Equal("Logo design (as alice saw it)", cut.Find("#job-participant-title").TextContent));
        Assert.Equal("Invited", cut.Find("#job-participant-application").TextContent);
        Assert.Empty(cut.FindAll("#job-budget"));
        Assert.Empty(cut.FindAll("#job-participant-view .job-applicant"));
    }

    [Fact]
    public void Given_the_participant_tab_When_another_participant_is_picked_Then_their_own_view_is_shown()
    {
        var (job, cut) = RenderSeededJob();
        ChooseTab(cut, "As participant");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#job-participant-view")));

        var select = cut.FindComponent<MudBlazor.MudSelect<string>>();
        cut.InvokeAsync(() => select.Instance.SelectOption("sam"));

        cut.WaitForAssertion(() => Assert.Equal("Logo design (as sam saw it)", cut.Find("#job-participant-title").TextContent));
        Assert.Equal("I draw", cut.Find("#job-participant-cover-note").TextContent);
    }

    [Fact]
    public void Given_a_job_When_opened_Then_its_events_are_listed_newest_first_as_text()
    {
        var (job, cut) = RenderSeededJob();

        var summaries = cut.FindAll(".job-event-summary").Select(td => td.TextContent).ToList();
        Assert.Equal(2, summaries.Count);
        Assert.Contains("<script>alert(1)</script>", summaries);
        Assert.Empty(cut.FindAll("#job-timeline script"));
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void Given_a_malformed_id_When_opened_Then_a_not_found_message_is_shown(string id)
    {
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, id));

        Assert.Contains("is not a job id", cut.Find("#job-not-found").TextContent);
    }

    [Fact]
    public void Given_an_unknown_id_When_opened_Then_a_not_found_message_is_shown()
    {
        var id = Guid.CreateVersion7();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, id.ToString()));

        Assert.Contains($"There is no job with id {id}", cut.Find("#job-not-found").TextContent);
    }

    [Fact]
    public void Given_an_open_job_When_its_events_arrive_Then_the_page_refreshes()
    {
        var (job, cut) = RenderSeededJob();

        JobReads.Timeline.Add(new JobTimelineEntry(3, 12, "job_completed", DateTimeOffset.UtcNow, "carol", "carol completed the job"));
        _ = Changes.PublishAsync(new ReadModelChange(12, new HashSet<Guid>(), new HashSet<Guid> { job.Id }));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".job-event").Count));
    }

    [Fact]
    public async Task Given_a_live_reload_in_flight_When_the_user_opens_another_job_and_the_older_read_ends_last_Then_the_newer_job_stays()
    {
        var first = SeedJob();
        var second = JobReads.Add("Brochure", "dave");
        RenderProviders();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, first.Id.ToString()));
        cut.WaitForAssertion(() => Assert.Equal("Logo design", cut.Find("h1").TextContent.Trim()));

        // A live reload of the first job reads it, and its answer is held back.
        var held = new TaskCompletionSource();
        JobReads.Hold = id => id == first.Id ? held.Task : Task.CompletedTask;
        _ = Changes.PublishAsync(new ReadModelChange(12, new HashSet<Guid>(), new HashSet<Guid> { first.Id }));
        cut.WaitForAssertion(() => Assert.Equal(2, JobReads.GetCalls));

        // Meanwhile the user opens the second job (a load that started later), which is shown.
        cut.Render(p => p.Add(x => x.Id, second.Id.ToString()));
        cut.WaitForAssertion(() => Assert.Equal("Brochure", cut.Find("h1").TextContent.Trim()));

        // The older live read answers last: it must not put the first job back under the second job's address.
        held.SetResult();
        await cut.InvokeAsync(() => { });

        Assert.Equal(3, JobReads.GetCalls);
        Assert.Equal("Brochure", cut.Find("h1").TextContent.Trim());
        Assert.Contains($"Job {second.Id}", cut.Markup);
    }
}
