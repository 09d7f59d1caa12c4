using MicoPortal.Client.Services;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using MudBlazor.Services;

var builder = WebAssemblyHostBuilder.CreateDefault(args);

builder.Services.AddMudServices();
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddScoped<IPortalApi, PortalApi>();
builder.Services.AddScoped<CurrentUserState>();
builder.Services.AddScoped<IOperationsHubClient, OperationsHubClient>();

await builder.Build().RunAsync();
