"""The EventBridge adapter: puts cart events on the stage's bus."""
