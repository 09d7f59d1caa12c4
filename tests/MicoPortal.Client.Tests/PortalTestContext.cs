using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace MicoPortal.Client.Tests;

/// <summary>A bUnit context with MudBlazor, loose JS interop and the fakes of the portal's API and hub.</summary>
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    protected FakePortalApi Api { get; } = new();
    protected FakeOperationsHubClient Hub { get; } = new();
    protected FakeAdminApi Admin { get; } = new();
    protected FakeReconciliationApi Reconciliation { get; } = new();
    protected FakeAuditApi Audit { get; } = new();
    protected FakeNotificationsApi Notifications { get; } = new();
    protected FakeProvidersApi ProvidersApi { get; } = new();
    protected FakeWebhooksApi Webhooks { get; } = new();

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IPortalApi>(Api);
        Services.AddSingleton<IOperationsHubClient>(Hub);
        Services.AddSingleton<IAdminApi>(Admin);
        Services.AddSingleton<IReconciliationApi>(Reconciliation);
        Services.AddSingleton<ILogUpload>(new FakeLogUpload(Reconciliation));
        Services.AddSingleton<IAuditApi>(Audit);
        Services.AddSingleton<INotificationsApi>(Notifications);
        Services.AddSingleton<IProvidersApi>(ProvidersApi);
        Services.AddSingleton<IWebhooksApi>(Webhooks);
        Services.AddSingleton<CurrentUserState>();
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that are only IAsyncDisposable; xunit 2 awaits this before calling Dispose.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    /// <summary>Renders <typeparamref name="T"/> inside the MudBlazor providers.</summary>
    protected IRenderedComponent<TestHost> RenderInHost<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : IComponent =>
        Render<TestHost>(host => host.AddChildContent(parameters ?? (_ => { })));
}
