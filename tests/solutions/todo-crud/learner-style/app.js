import express from 'express'

const app = express()
app.use(express.json())

// log every request
app.use((req, res, next) => {
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`)
  next()
})

let todos = []
let idCounter = 1

app.get('/todos', (req, res) => {
  res.json(todos)
})

app.get('/todos/:id', (req, res) => {
  const todo = todos.find(t => t.id === Number(req.params.id))
  if (!todo) {
    return res.status(404).json({ error: 'Todo not found' })
  }
  res.json(todo)
})

app.post('/todos', (req, res) => {
  const title = req.body.title
  if (!title || typeof title !== 'string') {
    return res.status(400).json({ error: 'Title is required and must be a string' })
  }
  const todo = {
    id: idCounter++,
    title: title,
    completed: false
  }
  todos.push(todo)
  console.log('Created todo', todo)
  res.status(201).json(todo)
})

app.patch('/todos/:id', (req, res) => {
  const todo = todos.find(t => t.id === Number(req.params.id))
  if (!todo) {
    return res.status(404).json({ error: 'Todo not found' })
  }

  const { title, completed } = req.body
  if (title !== undefined) {
    if (typeof title !== 'string' || title === '') {
      return res.status(400).json({ error: 'Title must be a non-empty string' })
    }
  }
  if (completed !== undefined) {
    if (typeof completed !== 'boolean') {
      return res.status(400).json({ error: 'Completed must be true or false' })
    }
  }

  if (title !== undefined) todo.title = title
  if (completed !== undefined) todo.completed = completed
  res.json(todo)
})

app.delete('/todos/:id', (req, res) => {
  const index = todos.findIndex(t => t.id === Number(req.params.id))
  if (index === -1) {
    return res.status(404).json({ error: 'Todo not found' })
  }
  todos.splice(index, 1)
  res.status(204).send()
})

app.listen(8080, () => {
  console.log('Server started on http://localhost:8080')
})
