// The namespaces nearly every test file uses, once for the project (each file keeps its own others).
global using System.Text;
global using System.Text.Json.Nodes;
global using ConformanceSuite.Checks;
global using ConformanceSuite.Contracts;
global using ConformanceSuite.Engine;
global using ConformanceSuite.MockServer;
global using ConformanceSuite.Running;
global using FluentAssertions;
global using NUnit.Framework;
