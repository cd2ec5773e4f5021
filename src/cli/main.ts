console.log("argus");
