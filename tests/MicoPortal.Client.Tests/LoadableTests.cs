using MicoPortal.Client.Components;
using MicoPortal.Client.Services;
using Microsoft.AspNetCore.Components;

namespace MicoPortal.Client.Tests;

/// <summary>The one load/error/empty pattern every page uses: <see cref="Loadable{T}"/> over a <see cref="LoadState{T}"/>.</summary>
public class LoadableTests : PortalTestContext
{
    private readonly LoadState<string[]> _state = new();
    private int _loads;
    private Func<string[]> _answer = () => ["alpha", "beta"];

    private Task LoadAsync() => _state.LoadAsync(_ =>
    {
        _loads++;
        return Task.FromResult(_answer());
    });

    private IRenderedComponent<Loadable<string[]>> RenderLoadable() =>
        Render<Loadable<string[]>>(p => p
            .Add(l => l.State, _state)
            .Add(l => l.OnRetry, LoadAsync)
            .Add(l => l.ErrorTitle, "Could not load the names.")
            .Add(l => l.IsEmpty, names => names.Length == 0)
            .Add(l => l.EmptyTitle, "No names yet")
            .Add(l => l.EmptyMessage, "Add one to see it here.")
            .Add(l => l.LoadingClass, "names-loading")
            .Add(l => l.ChildContent, names => builder => builder.AddMarkupContent(0, $"<ul class=\"names\">{string.Concat(names.Select(n => $"<li>{n}</li>"))}</ul>")));

    [Fact]
    public void Before_the_first_answer_it_shows_loading_and_nothing_else()
    {
        var cut = RenderLoadable();

        Assert.NotNull(cut.Find(".mud-progress-linear.names-loading"));
        Assert.Empty(cut.FindAll(".names"));
        Assert.Empty(cut.FindAll(".load-error"));
        Assert.Empty(cut.FindAll(".empty-state"));
    }

    [Fact]
    public async Task A_loaded_value_shows_the_content()
    {
        await LoadAsync();

        var cut = RenderLoadable();

        Assert.Equal(["alpha", "beta"], cut.FindAll(".names li").Select(li => li.TextContent));
        Assert.Empty(cut.FindAll(".mud-progress-linear"));
    }

    [Fact]
    public async Task An_empty_value_shows_the_empty_text()
    {
        _answer = () => [];
        await LoadAsync();

        var cut = RenderLoadable();

        var empty = cut.Find(".empty-state");
        Assert.Contains("No names yet", empty.TextContent);
        Assert.Contains("Add one to see it here.", empty.TextContent);
        Assert.Empty(cut.FindAll(".names"));
    }

    [Fact]
    public async Task A_failed_load_shows_the_error_and_try_again_loads_again()
    {
        _answer = () => throw new PortalApiException("The portal answered 503.");
        await LoadAsync();
        var cut = RenderLoadable();

        Assert.Contains("Could not load the names.", cut.Find(".load-error").TextContent);
        Assert.Contains("The portal answered 503.", cut.Find(".load-error").TextContent);
        Assert.Empty(cut.FindAll(".names"));

        _answer = () => ["gamma"];
        await cut.InvokeAsync(() => cut.Find(".load-error-retry").Click());

        Assert.Equal(2, _loads);
        cut.Render();
        Assert.Equal(["gamma"], cut.FindAll(".names li").Select(li => li.TextContent));
        Assert.Empty(cut.FindAll(".load-error"));
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_value_only_where_the_page_asks_for_it()
    {
        await LoadAsync();
        _answer = () => throw new HttpRequestException("connection refused");
        await LoadAsync();

        var replaced = RenderLoadable();
        var kept = Render<Loadable<string[]>>(p => p
            .Add(l => l.State, _state)
            .Add(l => l.KeepValueOnError, true)
            .Add(l => l.ChildContent, names => builder => builder.AddMarkupContent(0, $"<p class=\"names\">{names.Length}</p>")));

        Assert.Contains("connection refused", replaced.Find(".load-error").TextContent);
        Assert.Empty(replaced.FindAll(".names"));
        Assert.Equal("2", kept.Find(".names").TextContent);
        Assert.Empty(kept.FindAll(".load-error"));
    }

    [Fact]
    public async Task An_answer_overtaken_by_a_later_load_or_a_push_is_dropped()
    {
        var slow = new TaskCompletionSource<string[]>();
        var first = _state.LoadAsync(_ => slow.Task);
        _state.Set(["pushed"]);
        slow.SetResult(["stale"]);
        await first;

        Assert.Equal("pushed", Assert.Single(Assert.IsType<string[]>(_state.Value)));
        Assert.True(_state.Loaded);
        Assert.Null(_state.Error);
    }

    [Fact]
    public async Task Nothing_at_all_is_empty_too_with_the_pages_own_words()
    {
        var order = new LoadState<string>();
        await order.LoadAsync(_ => Task.FromResult<string?>(null));

        var cut = Render<Loadable<string>>(p => p
            .Add(l => l.State, order)
            .Add(l => l.Empty, (RenderFragment)(b => b.AddMarkupContent(0, "<p class=\"not-found\">There is no order #404.</p>")))
            .Add(l => l.ChildContent, value => builder => builder.AddContent(0, value)));

        Assert.Equal("There is no order #404.", cut.Find(".not-found").TextContent);
        Assert.Empty(cut.FindAll(".mud-progress-linear"));
    }
}
