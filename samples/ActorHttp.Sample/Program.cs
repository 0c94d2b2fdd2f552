using ActorHttp.Actors;                  // ServerSettings
using ActorHttp.Handlers.StaticFiles;    // StaticFileSettings
using ActorHttp.Handlers.Uploads;        // UploadSettings
using ActorHttp.Hosting;                 // ServerConfiguration, RouteBuilder, WithActorHttpServer
using Akka.Hosting;                      // AddAkka, AddHocon
using Microsoft.Extensions.DependencyInjection;   // AddHttpClient
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
var services = builder.Services;
services.AddHttpClient("forecasts", http => http.BaseAddress = new Uri("https://forecasts.example/"));   // for ForecastHandler
var config = ServerConfiguration.Load(configFiles: args);
var settings = ServerSettings.FromConfig(config);
var listenSocket = AkkaBuilderExtensions.BindListenSocket(settings);   // fails at once if the port is taken
var routes = new RouteBuilder()
    .AddDemoRoutes(StaticFileSettings.FromConfig(config), UploadSettings.FromConfig(config))
    .MapGet<GreetingHandler>("/greet/{name}")                       // built from the services
    .Map<WeatherHandler>(["GET", "POST"], "/weather", instances: 4);
HandlerRoutes.Map(routes, new UserDirectory(), Path.Combine(AppContext.BaseDirectory, "report.csv"));   // the examples below
services.AddAkka("actorhttp", akka => akka
    .AddHocon(config, HoconAddMode.Prepend)
    .WithActorHttpServer(settings, routes.Routes, listenSocket));
await builder.Build().RunAsync();
